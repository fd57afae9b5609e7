/* Asserts the Win64 struct sizes and offsets that io.edgewise.sys.windows.Win64 hard-codes, and the
 * constants it copies from the SDK headers. Compile-time facts, checked at run time so one report
 * lists every mismatch. */
#include "probe.h"

/* The AFD poll structures are not in the SDK headers: declared here as the Java code lays them out. */
typedef struct {
    HANDLE Handle;
    ULONG Events;
    NTSTATUS Status;
} AFD_POLL_HANDLE_INFO;

typedef struct {
    LARGE_INTEGER Timeout;
    ULONG NumberOfHandles;
    ULONG Exclusive;
    AFD_POLL_HANDLE_INFO Handles[1];
} AFD_POLL_INFO;

#define EQ(a, b) CHECK((long long) (a) == (long long) (b), "%s = %lld, Java has %lld", #a, (long long) (a), (long long) (b))

int main(void) {
    EQ(sizeof(void *), 8);
    EQ(sizeof(long), 4); /* why NativeLong must not be used */
    EQ(sizeof(SOCKET), 8);

    EQ(sizeof(OVERLAPPED), 32);
    EQ(offsetof(OVERLAPPED, Internal), 0);
    EQ(offsetof(OVERLAPPED, InternalHigh), 8);
    EQ(offsetof(OVERLAPPED, hEvent), 24);

    EQ(sizeof(OVERLAPPED_ENTRY), 32);
    EQ(offsetof(OVERLAPPED_ENTRY, lpCompletionKey), 0);
    EQ(offsetof(OVERLAPPED_ENTRY, lpOverlapped), 8);
    EQ(offsetof(OVERLAPPED_ENTRY, Internal), 16);
    EQ(offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred), 24);

    EQ(sizeof(IO_STATUS_BLOCK), 16);
    EQ(offsetof(IO_STATUS_BLOCK, Status), 0);
    EQ(offsetof(IO_STATUS_BLOCK, Information), 8);

    EQ(sizeof(AFD_POLL_HANDLE_INFO), 16);
    EQ(sizeof(AFD_POLL_INFO), 32);
    EQ(offsetof(AFD_POLL_INFO, NumberOfHandles), 8);
    EQ(offsetof(AFD_POLL_INFO, Exclusive), 12);
    EQ(offsetof(AFD_POLL_INFO, Handles), 16);
    EQ(offsetof(AFD_POLL_HANDLE_INFO, Events), 8);
    EQ(offsetof(AFD_POLL_HANDLE_INFO, Status), 12);

    EQ(sizeof(UNICODE_STRING), 16);
    EQ(offsetof(UNICODE_STRING, Buffer), 8);
    EQ(sizeof(OBJECT_ATTRIBUTES), 48);
    EQ(offsetof(OBJECT_ATTRIBUTES, RootDirectory), 8);
    EQ(offsetof(OBJECT_ATTRIBUTES, ObjectName), 16);
    EQ(offsetof(OBJECT_ATTRIBUTES, Attributes), 24);
    EQ(offsetof(OBJECT_ATTRIBUTES, SecurityDescriptor), 32);
    EQ(offsetof(OBJECT_ATTRIBUTES, SecurityQualityOfService), 40);

    EQ(sizeof(WSABUF), 16);
    EQ(offsetof(WSABUF, len), 0);
    EQ(offsetof(WSABUF, buf), 8);
    EQ(sizeof(WSAPOLLFD), 16);
    EQ(offsetof(WSAPOLLFD, events), 8);
    EQ(offsetof(WSAPOLLFD, revents), 10);
    EQ(sizeof(fd_set), 8 + 8 * FD_SETSIZE);
    EQ(FD_SETSIZE, 64);
    EQ(offsetof(fd_set, fd_array), 8);
    EQ(sizeof(struct timeval), 8);
    EQ(sizeof(struct linger), 4);
    EQ(sizeof(WSADATA), 408);
    EQ(sizeof(struct sockaddr_in), 16);
    EQ(sizeof(struct sockaddr_in6), 28);
    EQ(offsetof(struct sockaddr_in6, sin6_scope_id), 24);
    EQ(sizeof(SOCKADDR_STORAGE), 128);

    EQ(AF_INET6, 23);
    EQ(SOL_SOCKET, 0xFFFF);
    EQ(SO_REUSEADDR, 0x4);
    EQ(SO_KEEPALIVE, 0x8);
    EQ(SO_BROADCAST, 0x20);
    EQ(SO_LINGER, 0x80);
    EQ(SO_OOBINLINE, 0x100);
    EQ(SO_SNDBUF, 0x1001);
    EQ(SO_RCVBUF, 0x1002);
    EQ(SO_ERROR, 0x1007);
    EQ(SO_EXCLUSIVEADDRUSE, ~0x4);
    EQ(TCP_NODELAY, 1);
    EQ(IP_TOS, 3);
    EQ(IPV6_V6ONLY, 27);
    EQ(IPV6_TCLASS, 39);
    EQ((unsigned) FIONBIO, 0x8004667Eu);
    EQ((unsigned) FIONREAD, 0x4004667Fu);
    EQ((unsigned) SIO_BASE_HANDLE, 0x48000022u);
    EQ(WSA_FLAG_OVERLAPPED, 0x1);
    EQ(WSA_FLAG_NO_HANDLE_INHERIT, 0x80);
    EQ(POLLRDNORM, 0x100);
    EQ(POLLRDBAND, 0x200);
    EQ(POLLWRNORM, 0x10);
    EQ(POLLERR, 0x1);
    EQ(POLLHUP, 0x2);
    EQ(POLLNVAL, 0x4);
    EQ(WSAEWOULDBLOCK, 10035);
    EQ(WSAECONNRESET, 10054);
    EQ(WSAECONNREFUSED, 10061);
    EQ(WSAESHUTDOWN, 10058);
    EQ(WAIT_TIMEOUT, 258);
    EQ(STATUS_PENDING, 0x103);
    EQ(FILE_SKIP_SET_EVENT_ON_HANDLE, 0x2);
    EQ(HANDLE_FLAG_INHERIT, 0x1);
    EQ(SYNCHRONIZE, 0x00100000);
    PROBE_END("layout");
}
