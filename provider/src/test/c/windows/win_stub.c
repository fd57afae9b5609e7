/*
 * A stand-in for ws2_32, kernel32 and ntdll, for WinFfmStubTest: exports the symbols the Windows FFM
 * binding (io.edgewise.sys.windows.FfmWinCalls) looks up, with the Windows argument widths written from
 * the SDK headers (SOCKET, HANDLE, ULONG_PTR, pointers: 64-bit; int, DWORD, ULONG, BOOL, NTSTATUS and
 * Windows' long: 32-bit; WORD 16; UCHAR 8). Each call records its name and arguments, each zero-extended
 * from its own width (stub_arg), and returns what stub_next asked for, setting errno to the error asked
 * for last thing before it returns (on a non-Windows JDK the binding captures errno in place of
 * WSAGetLastError/GetLastError). With stub_write_out(1), calls with out-parameters write known values there.
 *
 * Built at test time: gcc -shared -fPIC -o win_stub.so win_stub.c
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t SOCKET;
typedef void *HANDLE, *PVOID;
typedef uint32_t DWORD, ULONG;
typedef int32_t BOOL, NTSTATUS, WINLONG;
typedef uint16_t WORD;
typedef uint8_t UCHAR;
typedef uint64_t ULONG_PTR;

static uint64_t args[16];
static int nargs;
static char name[64];
static int64_t next_result;
static int next_error;
static int write_out;

void stub_next(int64_t result, int error) { next_result = result; next_error = error; }
void stub_write_out(int on) { write_out = on; }
uint64_t stub_arg(int i) { return args[i]; }
int stub_nargs(void) { return nargs; }
const char *stub_name(void) { return name; }

static void B(const char *n) { strncpy(name, n, sizeof name - 1); nargs = 0; }
#define A(T, x) (args[nargs++] = (uint64_t)(T)(x))
#define P(x) (args[nargs++] = (uint64_t)(uintptr_t)(x))
#define U64(x) A(uint64_t, x)
#define U32(x) A(uint32_t, x)
#define U16(x) A(uint16_t, x)
#define U8(x) A(uint8_t, x)

/* The asked-for result; errno set last (the binding captures it right after the return). */
static int64_t R(void) {
    int64_t r = next_result;
    int e = next_error;
    next_result = 0;
    next_error = 0;
    if (e) errno = e;
    return r;
}

/* ---- ws2_32 */
int WSAStartup(WORD v, PVOID d) { B("WSAStartup"); U16(v); P(d); return (int) R(); }
SOCKET WSASocketW(int af, int type, int proto, PVOID info, DWORD group, DWORD flags) {
    B("WSASocketW"); U32(af); U32(type); U32(proto); P(info); U32(group); U32(flags); return (SOCKET) R();
}
int closesocket(SOCKET s) { B("closesocket"); U64(s); return (int) R(); }
int bind(SOCKET s, PVOID a, int l) { B("bind"); U64(s); P(a); U32(l); return (int) R(); }
int listen(SOCKET s, int b) { B("listen"); U64(s); U32(b); return (int) R(); }
SOCKET accept(SOCKET s, PVOID a, int *l) {
    B("accept"); U64(s); P(a); P(l);
    if (write_out) *l = 16;
    return (SOCKET) R();
}
int connect(SOCKET s, PVOID a, int l) { B("connect"); U64(s); P(a); U32(l); return (int) R(); }
int getsockname(SOCKET s, PVOID a, int *l) {
    B("getsockname"); U64(s); P(a); P(l);
    if (write_out) { memset(a, 0x5a, 4); *l = 24; }
    return (int) R();
}
int getpeername(SOCKET s, PVOID a, int *l) { B("getpeername"); U64(s); P(a); P(l); return (int) R(); }
int ioctlsocket(SOCKET s, WINLONG cmd, ULONG *argp) { B("ioctlsocket"); U64(s); U32(cmd); P(argp); return (int) R(); }
int WSAIoctl(SOCKET s, DWORD code, PVOID in, DWORD inLen, PVOID out, DWORD outLen, DWORD *bytes, PVOID ov,
        PVOID routine) {
    B("WSAIoctl"); U64(s); U32(code); P(in); U32(inLen); P(out); U32(outLen); P(bytes); P(ov); P(routine);
    if (write_out) { *(uint64_t *) out = 0x0123456789abcdefULL; *bytes = 8; }
    return (int) R();
}
int recv(SOCKET s, char *b, int l, int f) { B("recv"); U64(s); P(b); U32(l); U32(f); return (int) R(); }
int send(SOCKET s, const char *b, int l, int f) { B("send"); U64(s); P(b); U32(l); U32(f); return (int) R(); }
int WSARecv(SOCKET s, PVOID bufs, DWORD n, DWORD *bytes, DWORD *flags, PVOID ov, PVOID routine) {
    B("WSARecv"); U64(s); P(bufs); U32(n); P(bytes); P(flags); P(ov); P(routine);
    if (write_out) { *bytes = 42; *flags = 0x80000000u; }
    return (int) R();
}
int WSASend(SOCKET s, PVOID bufs, DWORD n, DWORD *bytes, DWORD flags, PVOID ov, PVOID routine) {
    B("WSASend"); U64(s); P(bufs); U32(n); P(bytes); U32(flags); P(ov); P(routine); return (int) R();
}
int shutdown(SOCKET s, int how) { B("shutdown"); U64(s); U32(how); return (int) R(); }
int setsockopt(SOCKET s, int level, int opt, const char *v, int l) {
    B("setsockopt"); U64(s); U32(level); U32(opt); P(v); U32(l); return (int) R();
}
int getsockopt(SOCKET s, int level, int opt, char *v, int *l) {
    B("getsockopt"); U64(s); U32(level); U32(opt); P(v); P(l); return (int) R();
}
int select(int n, PVOID r, PVOID w, PVOID e, PVOID tv) { B("select"); U32(n); P(r); P(w); P(e); P(tv); return (int) R(); }
int sendto(SOCKET s, const char *b, int l, int f, PVOID to, int tl) {
    B("sendto"); U64(s); P(b); U32(l); U32(f); P(to); U32(tl); return (int) R();
}
int recvfrom(SOCKET s, char *b, int l, int f, PVOID from, int *fl) {
    B("recvfrom"); U64(s); P(b); U32(l); U32(f); P(from); P(fl); return (int) R();
}

/* ---- kernel32 */
HANDLE CreateIoCompletionPort(HANDLE f, HANDLE port, ULONG_PTR key, DWORD threads) {
    B("CreateIoCompletionPort"); P(f); P(port); U64(key); U32(threads); return (HANDLE) (uintptr_t) R();
}
BOOL GetQueuedCompletionStatusEx(HANDLE port, PVOID entries, ULONG count, ULONG *removed, DWORD ms, BOOL alertable) {
    B("GetQueuedCompletionStatusEx"); P(port); P(entries); U32(count); P(removed); U32(ms); U32(alertable);
    if (write_out) { *removed = 3; ((uint64_t *) entries)[0] = 0xfedcba9876543210ULL; }
    return (BOOL) R();
}
BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes, ULONG_PTR key, PVOID ov) {
    B("PostQueuedCompletionStatus"); P(port); U32(bytes); U64(key); P(ov); return (BOOL) R();
}
BOOL CloseHandle(HANDLE h) { B("CloseHandle"); P(h); return (BOOL) R(); }
BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR flags) {
    B("SetFileCompletionNotificationModes"); P(h); U8(flags); return (BOOL) R();
}
BOOL SetHandleInformation(HANDLE h, DWORD mask, DWORD flags) {
    B("SetHandleInformation"); P(h); U32(mask); U32(flags); return (BOOL) R();
}

/* ---- ntdll */
NTSTATUS NtCreateFile(HANDLE *fh, DWORD access, PVOID oa, PVOID iosb, PVOID size, ULONG attrs, ULONG share,
        ULONG disposition, ULONG options, PVOID ea, ULONG eaLen) {
    B("NtCreateFile"); P(fh); U32(access); P(oa); P(iosb); P(size); U32(attrs); U32(share); U32(disposition);
    U32(options); P(ea); U32(eaLen);
    if (write_out) *fh = (HANDLE) (uintptr_t) 0x00007ffe12345678ULL;
    return (NTSTATUS) R();
}
NTSTATUS NtDeviceIoControlFile(HANDLE f, HANDLE ev, PVOID apc, PVOID ctx, PVOID iosb, ULONG code, PVOID in,
        ULONG inLen, PVOID out, ULONG outLen) {
    B("NtDeviceIoControlFile"); P(f); P(ev); P(apc); P(ctx); P(iosb); U32(code); P(in); U32(inLen); P(out);
    U32(outLen); return (NTSTATUS) R();
}
NTSTATUS NtCancelIoFileEx(HANDLE f, PVOID req, PVOID iosb) { B("NtCancelIoFileEx"); P(f); P(req); P(iosb); return (NTSTATUS) R(); }
ULONG RtlNtStatusToDosError(NTSTATUS st) { B("RtlNtStatusToDosError"); U32(st); return (ULONG) R(); }
