package io.edgewise.sys.windows;

/**
 * Win64 constants and struct layouts used by the Winsock, kernel32 and ntdll bindings. Pure data: no
 * class here loads a native library, so it is unit-tested on every platform.
 *
 * <p>Every size is for the LLP64 model of Win64: {@code long}/{@code ULONG}/{@code DWORD}/{@code NTSTATUS}
 * are 4 bytes, pointers, handles, {@code SOCKET}, {@code ULONG_PTR} and {@code SIZE_T} 8. Struct fields
 * are therefore written with explicit offsets, never with JNA's {@code NativeLong} (8 bytes on Linux).
 * The sizes were measured with mingw-w64 ({@code sizeof}/{@code offsetof}) — see
 * {@code provider/src/test/c/iocp/layout.c}, which asserts the same numbers.
 */
public final class Win64 {
    private Win64() { }

    public static final int POINTER_SIZE = 8;

    // ---- handles and generic values
    public static final long INVALID_HANDLE_VALUE = -1L;
    public static final long INVALID_SOCKET = -1L; // ~0 as a 64-bit SOCKET
    public static final int SOCKET_ERROR = -1;
    public static final int INFINITE = 0xFFFFFFFF;
    public static final int WAIT_TIMEOUT = 258;
    public static final int HANDLE_FLAG_INHERIT = 0x1;
    public static final int FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

    // ---- NTSTATUS
    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_PENDING = 0x103;
    public static final int STATUS_CANCELLED = 0xC0000120;
    public static final int STATUS_NOT_FOUND = 0xC0000225;
    public static final int STATUS_INVALID_HANDLE = 0xC0000008;
    public static final int STATUS_HANDLES_CLOSED = 0x8000000A;

    /** Whether an NTSTATUS is a warning (severity bits 10), e.g. STATUS_HANDLES_CLOSED. */
    public static boolean ntWarning(int status) {
        return (status >>> 30) == 2;
    }

    /** Whether an NTSTATUS is an error (severity bits 11). */
    public static boolean ntError(int status) {
        return (status >>> 30) == 3;
    }

    // ---- NtCreateFile for \Device\Afd
    public static final int SYNCHRONIZE = 0x00100000;
    public static final int FILE_SHARE_READ = 0x1, FILE_SHARE_WRITE = 0x2;
    public static final int FILE_OPEN = 1;
    public static final int OBJ_CASE_INSENSITIVE = 0x40;
    /** A name under \Device\Afd: AFD accepts any suffix and opens a helper endpoint for polling. */
    public static final String AFD_HELPER_NAME = "\\Device\\Afd\\Edgewise";

    // ---- AFD poll
    public static final int IOCTL_AFD_POLL = 0x00012024;
    public static final int AFD_POLL_RECEIVE = 0x0001, AFD_POLL_RECEIVE_EXPEDITED = 0x0002,
            AFD_POLL_SEND = 0x0004, AFD_POLL_DISCONNECT = 0x0008, AFD_POLL_ABORT = 0x0010,
            AFD_POLL_LOCAL_CLOSE = 0x0020, AFD_POLL_ACCEPT = 0x0080, AFD_POLL_CONNECT_FAIL = 0x0100;

    // ---- Winsock ioctls
    public static final int SIO_BASE_HANDLE = 0x48000022;
    public static final int FIONBIO = 0x8004667E;
    public static final int FIONREAD = 0x4004667F;

    // ---- struct OVERLAPPED: Internal, InternalHigh, {Offset, OffsetHigh | Pointer}, hEvent
    public static final int OVERLAPPED_SIZE = 32;
    public static final int OVERLAPPED_INTERNAL = 0, OVERLAPPED_INTERNAL_HIGH = 8, OVERLAPPED_OFFSET = 16,
            OVERLAPPED_EVENT = 24;

    // ---- struct OVERLAPPED_ENTRY: lpCompletionKey, lpOverlapped, Internal, dwNumberOfBytesTransferred
    public static final int OVERLAPPED_ENTRY_SIZE = 32;
    public static final int OE_COMPLETION_KEY = 0, OE_OVERLAPPED = 8, OE_INTERNAL = 16, OE_BYTES = 24;

    // ---- struct IO_STATUS_BLOCK: {NTSTATUS Status | PVOID Pointer}, ULONG_PTR Information
    public static final int IO_STATUS_BLOCK_SIZE = 16;
    public static final int IOSB_STATUS = 0, IOSB_INFORMATION = 8;

    // ---- struct AFD_POLL_INFO: LARGE_INTEGER Timeout, ULONG NumberOfHandles, ULONG Exclusive,
    //      AFD_POLL_HANDLE_INFO Handles[1] {HANDLE Handle, ULONG Events, NTSTATUS Status}
    public static final int AFD_POLL_HANDLE_INFO_SIZE = 16;
    public static final int AFD_POLL_INFO_SIZE = 32; // with one handle
    public static final int API_TIMEOUT = 0, API_NUMBER_OF_HANDLES = 8, API_EXCLUSIVE = 12, API_HANDLES = 16;
    public static final int APHI_HANDLE = 0, APHI_EVENTS = 8, APHI_STATUS = 12;

    // ---- struct UNICODE_STRING: USHORT Length, USHORT MaximumLength, (pad), PWSTR Buffer
    public static final int UNICODE_STRING_SIZE = 16, US_LENGTH = 0, US_MAXIMUM_LENGTH = 2, US_BUFFER = 8;

    // ---- struct OBJECT_ATTRIBUTES: ULONG Length, HANDLE RootDirectory, PUNICODE_STRING ObjectName,
    //      ULONG Attributes, PVOID SecurityDescriptor, PVOID SecurityQualityOfService
    public static final int OBJECT_ATTRIBUTES_SIZE = 48, OA_LENGTH = 0, OA_ROOT = 8, OA_NAME = 16,
            OA_ATTRIBUTES = 24, OA_SECURITY_DESCRIPTOR = 32, OA_SECURITY_QOS = 40;

    // ---- struct WSABUF: ULONG len, (pad), CHAR *buf — length first, unlike struct iovec
    public static final int WSABUF_SIZE = 16, WSABUF_LEN = 0, WSABUF_BUF = 8;

    // ---- struct WSAPOLLFD: SOCKET fd, SHORT events, SHORT revents, (pad)
    public static final int WSAPOLLFD_SIZE = 16, WSAPOLLFD_EVENTS = 8, WSAPOLLFD_REVENTS = 10;

    // ---- fd_set: u_int fd_count, (pad), SOCKET fd_array[FD_SETSIZE]
    public static final int FD_SETSIZE = 64;
    public static final int FD_SET_COUNT = 0, FD_SET_ARRAY = 8, FD_SET_SIZE = 8 + 8 * FD_SETSIZE;
    /** struct timeval: long tv_sec, long tv_usec — both 4 bytes on Win64. */
    public static final int TIMEVAL_SIZE = 8;

    /** struct linger: u_short l_onoff, u_short l_linger. */
    public static final int LINGER_SIZE = 4;

    /** WSADATA is 408 bytes on Win64; allocate generously. */
    public static final int WSADATA_SIZE = 408;

    // ---- sockets
    public static final int AF_INET = 2, AF_INET6 = 23;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    public static final int IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_IP = 0, IPPROTO_IPV6 = 41;
    public static final int WSA_FLAG_OVERLAPPED = 0x01, WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
    public static final int SD_RECEIVE = 0, SD_SEND = 1, SD_BOTH = 2;
    public static final int MSG_OOB = 0x1, MSG_PEEK = 0x2;
    public static final int SOCKADDR_IN_SIZE = 16, SOCKADDR_IN6_SIZE = 28, SOCKADDR_STORAGE_SIZE = 128;

    // ---- socket options
    public static final int SOL_SOCKET = 0xFFFF;
    public static final int SO_REUSEADDR = 0x0004, SO_KEEPALIVE = 0x0008, SO_BROADCAST = 0x0020,
            SO_LINGER = 0x0080, SO_OOBINLINE = 0x0100, SO_SNDBUF = 0x1001, SO_RCVBUF = 0x1002,
            SO_ERROR = 0x1007, SO_TYPE = 0x1008, SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    public static final int TCP_NODELAY = 0x0001, TCP_KEEPIDLE = 3, TCP_KEEPCNT = 16, TCP_KEEPINTVL = 17;
    public static final int IP_TOS = 3;
    public static final int IPV6_V6ONLY = 27, IPV6_TCLASS = 39;

    // ---- WSAPoll events
    public static final short POLLRDNORM = 0x0100, POLLRDBAND = 0x0200, POLLWRNORM = 0x0010,
            POLLERR = 0x0001, POLLHUP = 0x0002, POLLNVAL = 0x0004;

    // ---- Winsock errors (WSAGetLastError)
    public static final int WSAEINTR = 10004, WSAEBADF = 10009, WSAEACCES = 10013, WSAEFAULT = 10014,
            WSAEINVAL = 10022, WSAEMFILE = 10024, WSAEWOULDBLOCK = 10035, WSAEINPROGRESS = 10036,
            WSAEALREADY = 10037, WSAENOTSOCK = 10038, WSAEMSGSIZE = 10040, WSAENOPROTOOPT = 10042,
            WSAEOPNOTSUPP = 10045, WSAEAFNOSUPPORT = 10047, WSAEADDRINUSE = 10048,
            WSAEADDRNOTAVAIL = 10049, WSAENETDOWN = 10050, WSAENETUNREACH = 10051, WSAENETRESET = 10052,
            WSAECONNABORTED = 10053, WSAECONNRESET = 10054, WSAENOBUFS = 10055, WSAEISCONN = 10056,
            WSAENOTCONN = 10057, WSAESHUTDOWN = 10058, WSAETIMEDOUT = 10060, WSAECONNREFUSED = 10061,
            WSAEHOSTDOWN = 10064, WSAEHOSTUNREACH = 10065, WSANOTINITIALISED = 10093;
}
