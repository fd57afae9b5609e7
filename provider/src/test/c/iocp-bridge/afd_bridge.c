/* The IOCP bridge's Windows half: a mingw-built helper, run under wine, that performs the completion
 * port and AFD calls of io.edgewise.backend.iocp.CompletionPort for a Java process on the other end of
 * its stdin/stdout (io.edgewise.iocp.wine.WineAfdPort), plus the Winsock calls a test needs to make
 * sockets ready. So the Java IocpPoller state machine drives wine's real IOCTL_AFD_POLL over real
 * Winsock sockets.
 *
 * Protocol: one command per line, one reply line per command ("OK ..." or "ERR ..."), except POST,
 * which has no reply and is executed at once by the reading thread, so that it can wake a DEQ that
 * blocks the main thread (as PostQueuedCompletionStatus wakes GetQueuedCompletionStatusEx). The Java
 * side sends at most one other command at a time.
 *   PORT                      -> OK port              CreateIoCompletionPort
 *   CLOSEPORT port            -> OK                   CloseHandle
 *   AFD port                  -> OK afd               NtCreateFile(\Device\Afd\Edgewise) + associate (key 0)
 *   CLOSEAFD afd              -> OK
 *   BASE socket               -> OK base | ERR wsaerr WSAIoctl(SIO_BASE_HANDLE)
 *   SUBMIT afd slot base ev   -> OK ntstatus          NtDeviceIoControlFile(IOCTL_AFD_POLL), slot's IOSB as context
 *   CANCEL afd slot           -> OK ntstatus          NtCancelIoFileEx
 *   DEQ port ms               -> OK n {key slot status events}*n   GetQueuedCompletionStatusEx (ms -1: INFINITE)
 *   POST port key             (no reply)              PostQueuedCompletionStatus(port, 0, key, NULL)
 *   PAIR                      -> OK client server     connected non-blocking TCP sockets on loopback
 *   SEND s n | RECV s n       -> OK count | ERR wsaerr (RECV: 0 = end of stream)
 *   SHUT s how | RST s | CLOSE s -> OK                 shutdown / SO_LINGER 0 + closesocket / closesocket
 *   QUIT
 * Slots: IO_STATUS_BLOCK + AFD_POLL_INFO (one handle), as NativeCompletionPort lays them out; the Java
 * side allocates the slot numbers. Handles travel as decimal 64-bit numbers.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define IOCTL_AFD_POLL 0x00012024
#define ST_PENDING ((NTSTATUS) 0x103)
#define MAX_SLOTS 4096

typedef struct { HANDLE Handle; ULONG Events; NTSTATUS Status; } AFD_POLL_HANDLE_INFO;
typedef struct { LARGE_INTEGER Timeout; ULONG NumberOfHandles; ULONG Exclusive; AFD_POLL_HANDLE_INFO Handles[1]; } AFD_POLL_INFO;
typedef struct { IO_STATUS_BLOCK iosb; AFD_POLL_INFO info; } SLOT;

typedef NTSTATUS (NTAPI *NtCreateFile_t)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK,
        PLARGE_INTEGER, ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
typedef NTSTATUS (NTAPI *NtDeviceIoControlFile_t)(HANDLE, HANDLE, PVOID, PVOID, PIO_STATUS_BLOCK, ULONG,
        PVOID, ULONG, PVOID, ULONG);
typedef NTSTATUS (NTAPI *NtCancelIoFileEx_t)(HANDLE, PIO_STATUS_BLOCK, PIO_STATUS_BLOCK);

static NtCreateFile_t pNtCreateFile;
static NtDeviceIoControlFile_t pNtDeviceIoControlFile;
static NtCancelIoFileEx_t pNtCancelIoFileEx;
static SLOT slots[MAX_SLOTS];

/* mailbox from the reading thread to the main thread: one command at a time */
static char mailbox[512];
static HANDLE ready, taken; /* taken: the main thread copied the mailbox */

static void reply(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static unsigned long long arg(char **p) {
    return strtoull(strtok_r(NULL, " \r\n", p), NULL, 10);
}

static DWORD WINAPI reader(LPVOID unused) {
    char line[512];
    (void) unused;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "POST ", 5) == 0) {
            unsigned long long port = 0, key = 0;
            sscanf(line + 5, "%llu %llu", &port, &key);
            PostQueuedCompletionStatus((HANDLE) (uintptr_t) port, 0, (ULONG_PTR) key, NULL);
            continue;
        }
        WaitForSingleObject(taken, INFINITE); /* never waits in practice: one command at a time */
        strcpy(mailbox, line);
        SetEvent(ready);
    }
    WaitForSingleObject(taken, INFINITE);
    strcpy(mailbox, "QUIT\n");
    SetEvent(ready);
    return 0;
}

static HANDLE open_afd(HANDLE port, NTSTATUS *st) {
    static WCHAR name[] = L"\\Device\\Afd\\Edgewise";
    UNICODE_STRING us = {(USHORT) (sizeof(name) - sizeof(WCHAR)), (USHORT) sizeof(name), name};
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE afd = NULL;
    memset(&oa, 0, sizeof oa);
    oa.Length = sizeof oa;
    oa.ObjectName = &us;
    *st = pNtCreateFile(&afd, SYNCHRONIZE, &oa, &iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, 1, 0, NULL, 0);
    if (*st != 0) return NULL;
    if (CreateIoCompletionPort(afd, port, 0, 0) != port) { *st = (NTSTATUS) GetLastError(); CloseHandle(afd); return NULL; }
    SetFileCompletionNotificationModes(afd, FILE_SKIP_SET_EVENT_ON_HANDLE);
    return afd;
}

static SOCKET new_socket(void) {
    SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    u_long one = 1;
    if (s != INVALID_SOCKET) ioctlsocket(s, FIONBIO, &one);
    return s;
}

static int pair(SOCKET *client, SOCKET *server) {
    struct sockaddr_in sa;
    int salen = sizeof sa;
    fd_set w;
    SOCKET l = new_socket(), c = new_socket(), s = INVALID_SOCKET;
    u_long one = 1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l, (struct sockaddr *) &sa, sizeof sa) || listen(l, 4) || getsockname(l, (struct sockaddr *) &sa, &salen)) return WSAGetLastError();
    connect(c, (struct sockaddr *) &sa, sizeof sa);
    for (int i = 0; i < 500 && s == INVALID_SOCKET; i++) {
        s = accept(l, NULL, NULL);
        if (s == INVALID_SOCKET) Sleep(10);
    }
    closesocket(l);
    if (s == INVALID_SOCKET) return WSAGetLastError();
    ioctlsocket(s, FIONBIO, &one);
    FD_ZERO(&w);
    FD_SET(c, &w);
    struct timeval tv = {5, 0};
    select(0, NULL, &w, NULL, &tv);
    *client = c;
    *server = s;
    return 0;
}

int main(void) {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    WSADATA wsa;
    static char buf[65536];
    pNtCreateFile = (NtCreateFile_t) (void *) GetProcAddress(ntdll, "NtCreateFile");
    pNtDeviceIoControlFile = (NtDeviceIoControlFile_t) (void *) GetProcAddress(ntdll, "NtDeviceIoControlFile");
    pNtCancelIoFileEx = (NtCancelIoFileEx_t) (void *) GetProcAddress(ntdll, "NtCancelIoFileEx");
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) { reply("ERR WSAStartup"); return 1; }
    ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    taken = CreateEventW(NULL, FALSE, TRUE, NULL);
    CreateThread(NULL, 0, reader, NULL, 0, NULL);
    reply("READY");
    for (;;) {
        char line[512], *p = NULL, *cmd;
        WaitForSingleObject(ready, INFINITE);
        strcpy(line, mailbox);
        SetEvent(taken);
        cmd = strtok_r(line, " \r\n", &p);
        if (!cmd) { reply("ERR empty"); continue; }
        if (!strcmp(cmd, "QUIT")) {
            reply("OK");
            return 0;
        } else if (!strcmp(cmd, "PORT")) {
            HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
            if (port) reply("OK %llu", (unsigned long long) (uintptr_t) port); else reply("ERR %lu", GetLastError());
        } else if (!strcmp(cmd, "CLOSEPORT") || !strcmp(cmd, "CLOSEAFD")) {
            CloseHandle((HANDLE) (uintptr_t) arg(&p));
            reply("OK");
        } else if (!strcmp(cmd, "AFD")) {
            NTSTATUS st;
            HANDLE afd = open_afd((HANDLE) (uintptr_t) arg(&p), &st);
            if (afd) reply("OK %llu", (unsigned long long) (uintptr_t) afd); else reply("ERR 0x%lx", (unsigned long) st);
        } else if (!strcmp(cmd, "BASE")) {
            SOCKET s = (SOCKET) arg(&p), base = INVALID_SOCKET;
            DWORD bytes = 0;
            if (WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &bytes, NULL, NULL) == 0) {
                reply("OK %llu", (unsigned long long) base);
            } else {
                reply("ERR %d", WSAGetLastError());
            }
        } else if (!strcmp(cmd, "SUBMIT")) {
            HANDLE afd = (HANDLE) (uintptr_t) arg(&p);
            unsigned idx = (unsigned) arg(&p);
            SLOT *s = &slots[idx % MAX_SLOTS];
            HANDLE base = (HANDLE) (uintptr_t) arg(&p);
            ULONG events = (ULONG) arg(&p);
            s->info.Timeout.QuadPart = INT64_MAX;
            s->info.NumberOfHandles = 1;
            s->info.Exclusive = FALSE;
            s->info.Handles[0].Handle = base;
            s->info.Handles[0].Events = events;
            s->info.Handles[0].Status = 0;
            s->iosb.Status = ST_PENDING;
            NTSTATUS st = pNtDeviceIoControlFile(afd, NULL, NULL, &s->iosb, &s->iosb, IOCTL_AFD_POLL,
                    &s->info, sizeof s->info, &s->info, sizeof s->info);
            reply("OK %lu", (unsigned long) st);
        } else if (!strcmp(cmd, "CANCEL")) {
            HANDLE afd = (HANDLE) (uintptr_t) arg(&p);
            SLOT *s = &slots[(unsigned) arg(&p) % MAX_SLOTS];
            IO_STATUS_BLOCK cancel;
            reply("OK %lu", (unsigned long) pNtCancelIoFileEx(afd, &s->iosb, &cancel));
        } else if (!strcmp(cmd, "DEQ")) {
            HANDLE port = (HANDLE) (uintptr_t) arg(&p);
            long long ms = strtoll(strtok_r(NULL, " \r\n", &p), NULL, 10);
            OVERLAPPED_ENTRY e[256];
            ULONG n = 0;
            char out[256 * 64], *o = out;
            if (!GetQueuedCompletionStatusEx(port, e, 256, &n, ms < 0 ? INFINITE : (DWORD) ms, FALSE)) {
                DWORD err = GetLastError();
                if (err == WAIT_TIMEOUT) reply("OK 0"); else reply("ERR %lu", err);
                continue;
            }
            o += sprintf(o, "OK %lu", n);
            for (ULONG i = 0; i < n; i++) {
                long idx = -1;
                unsigned long status = 0, events = 0;
                if (e[i].lpOverlapped) {
                    SLOT *s = (SLOT *) (void *) e[i].lpOverlapped;
                    idx = (long) (s - slots);
                    status = (unsigned long) s->iosb.Status;
                    events = s->info.NumberOfHandles == 1 ? s->info.Handles[0].Events : 0;
                }
                o += sprintf(o, " %llu %ld %lu %lu", (unsigned long long) e[i].lpCompletionKey, idx, status, events);
            }
            reply("%s", out);
        } else if (!strcmp(cmd, "PAIR")) {
            SOCKET c = INVALID_SOCKET, s = INVALID_SOCKET;
            int err = pair(&c, &s);
            if (err) reply("ERR %d", err); else reply("OK %llu %llu", (unsigned long long) c, (unsigned long long) s);
        } else if (!strcmp(cmd, "SEND") || !strcmp(cmd, "RECV")) {
            SOCKET s = (SOCKET) arg(&p);
            int n = (int) arg(&p), r;
            if (n > (int) sizeof buf) n = sizeof buf;
            r = cmd[0] == 'S' ? send(s, buf, n, 0) : recv(s, buf, n, 0);
            if (r == SOCKET_ERROR) reply("ERR %d", WSAGetLastError()); else reply("OK %d", r);
        } else if (!strcmp(cmd, "SHUT")) {
            SOCKET s = (SOCKET) arg(&p);
            shutdown(s, (int) arg(&p));
            reply("OK");
        } else if (!strcmp(cmd, "RST")) {
            SOCKET s = (SOCKET) arg(&p);
            struct linger lg = {1, 0};
            setsockopt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg);
            closesocket(s);
            reply("OK");
        } else if (!strcmp(cmd, "CLOSE")) {
            closesocket((SOCKET) arg(&p));
            reply("OK");
        } else {
            reply("ERR unknown command %s", cmd);
        }
    }
}
