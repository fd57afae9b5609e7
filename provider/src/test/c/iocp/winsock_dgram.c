/* The Winsock call sequences of io.edgewise.sys.windows.WindowsDatagramOps and WindowsUnixOps (issue #20),
 * asserted: UDP sockets as WindowsSocketOps makes them (overlapped, non-inheritable, FIONBIO, IPv6
 * dual-stack, SIO_UDP_CONNRESET off), sendto/recvfrom with the sender's address, a would-block receive,
 * truncation (WSAEMSGSIZE with the head of the datagram in the buffer), a zero-length datagram, connect
 * (+ SIO_UDP_CONNRESET on) with send/recv and the peer filter, no refusal on an unconnected socket,
 * disconnect by connecting to 28 zero bytes, DWORD multicast options, an IPv4 multicast loopback round trip
 * through ip_mreq, and ip_mreq_source in Windows' field order; AFD poll readiness of a UDP socket (the
 * IOCP poller watches datagram sockets as it watches streams); AF_UNIX stream bind/listen/connect/
 * accept/send/recv with sockaddr_un addresses, when the Winsock under test has AF_UNIX. */
#include "probe.h"
#include <afunix.h>

/* ---- the AFD poll of afd_poll.c, reduced to what a datagram socket needs */
#define IOCTL_AFD_POLL 0x00012024
#define AFD_POLL_RECEIVE 0x0001
#define AFD_POLL_SEND 0x0004
#define AFD_POLL_DISCONNECT 0x0008
#define AFD_POLL_ABORT 0x0010
#define AFD_POLL_LOCAL_CLOSE 0x0020
#define AFD_POLL_ACCEPT 0x0080
#define AFD_POLL_CONNECT_FAIL 0x0100
#define ALWAYS (AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE)
#define WATCH_IN (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT | ALWAYS)
#define WATCH_OUT (AFD_POLL_SEND | ALWAYS)
#define ST_SUCCESS ((NTSTATUS) 0)
#define ST_PENDING ((NTSTATUS) 0x103)

typedef struct { HANDLE Handle; ULONG Events; NTSTATUS Status; } AFD_POLL_HANDLE_INFO;
typedef struct { LARGE_INTEGER Timeout; ULONG NumberOfHandles; ULONG Exclusive; AFD_POLL_HANDLE_INFO Handles[1]; } AFD_POLL_INFO;
typedef struct { IO_STATUS_BLOCK iosb; AFD_POLL_INFO info; int id; int pad; } SLOT;
typedef NTSTATUS (NTAPI *NtCreateFile_t)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK,
        PLARGE_INTEGER, ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
typedef NTSTATUS (NTAPI *NtDeviceIoControlFile_t)(HANDLE, HANDLE, PVOID, PVOID, PIO_STATUS_BLOCK, ULONG,
        PVOID, ULONG, PVOID, ULONG);

static HANDLE port;

static HANDLE open_afd(void) {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    NtCreateFile_t create = (NtCreateFile_t) (void *) GetProcAddress(ntdll, "NtCreateFile");
    static WCHAR name[] = L"\\Device\\Afd\\Edgewise";
    UNICODE_STRING us;
    us.Length = (USHORT) (sizeof(name) - sizeof(WCHAR));
    us.MaximumLength = (USHORT) sizeof(name);
    us.Buffer = name;
    OBJECT_ATTRIBUTES oa;
    memset(&oa, 0, sizeof oa);
    oa.Length = sizeof oa;
    oa.ObjectName = &us;
    IO_STATUS_BLOCK iosb;
    HANDLE afd = NULL;
    NTSTATUS st = create(&afd, SYNCHRONIZE, &oa, &iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, 1, 0, NULL, 0);
    CHECK(st == ST_SUCCESS, "NtCreateFile(\\Device\\Afd\\Edgewise) = 0x%lx", (unsigned long) st);
    CHECK(CreateIoCompletionPort(afd, port, 0, 0) == port, "associate AFD helper: %lu", GetLastError());
    return afd;
}

static NTSTATUS submit(HANDLE afd, SLOT *slot, SOCKET s, ULONG events) {
    SOCKET base = INVALID_SOCKET;
    DWORD bytes = 0;
    CHECK(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &bytes, NULL, NULL) == 0,
            "SIO_BASE_HANDLE of a UDP socket: %d", WSAGetLastError());
    NtDeviceIoControlFile_t ioctl = (NtDeviceIoControlFile_t) (void *) GetProcAddress(
            GetModuleHandleW(L"ntdll.dll"), "NtDeviceIoControlFile");
    slot->info.Timeout.QuadPart = INT64_MAX;
    slot->info.NumberOfHandles = 1;
    slot->info.Exclusive = FALSE;
    slot->info.Handles[0].Handle = (HANDLE) base;
    slot->info.Handles[0].Events = events;
    slot->info.Handles[0].Status = 0;
    slot->iosb.Status = ST_PENDING;
    return ioctl(afd, NULL, NULL, &slot->iosb, &slot->iosb, IOCTL_AFD_POLL, &slot->info, sizeof slot->info,
            &slot->info, sizeof slot->info);
}

/* The events of the slot's completion within ms; -1 when none came. */
static long completion(SLOT *slot, DWORD ms) {
    OVERLAPPED_ENTRY e[2];
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(port, e, 2, &n, ms, FALSE) || n != 1) return -1;
    CHECK((void *) e[0].lpOverlapped == (void *) &slot->iosb, "completion is the slot's");
    return slot->iosb.Status == ST_SUCCESS ? (long) slot->info.Handles[0].Events : 0;
}

/* ---- sockets as WindowsSocketOps.socket(family, false) makes them */
static void connreset(SOCKET s, BOOL on) {
    DWORD bytes = 0;
    CHECK(WSAIoctl(s, SIO_UDP_CONNRESET, &on, sizeof on, NULL, 0, &bytes, NULL, NULL) == 0,
            "SIO_UDP_CONNRESET %d: %d", (int) on, WSAGetLastError());
}

static SOCKET udp(int af) {
    SOCKET s = WSASocketW(af, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    CHECK(s != INVALID_SOCKET, "WSASocketW(%d, SOCK_DGRAM): %d", af, WSAGetLastError());
    u_long one = 1;
    CHECK(ioctlsocket(s, FIONBIO, &one) == 0, "FIONBIO: %d", WSAGetLastError());
    if (af == AF_INET6) {
        int off = 0;
        CHECK(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (char *) &off, 4) == 0, "dual stack: %d", WSAGetLastError());
    }
    connreset(s, FALSE);
    return s;
}

static struct sockaddr_in loopback4(int port_) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((u_short) port_);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

static int port_of(SOCKET s) {
    SOCKADDR_STORAGE ss;
    int len = sizeof ss;
    CHECK(getsockname(s, (struct sockaddr *) &ss, &len) == 0, "getsockname: %d", WSAGetLastError());
    return ntohs(((struct sockaddr_in *) &ss)->sin_port); /* the port is at 2 in both families */
}

static int readable(SOCKET s, int ms) {
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(s, &rd);
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    return select(0, &rd, NULL, NULL, &tv) == 1;
}

/* WindowsDatagramOps.receive's first call: recvfrom into buf, the sender at from */
static int receive(SOCKET s, char *buf, int len, SOCKADDR_STORAGE *from, int *fromlen, int *err) {
    *fromlen = sizeof *from;
    memset(from, 0, sizeof *from);
    int n = recvfrom(s, buf, len, 0, (struct sockaddr *) from, fromlen);
    *err = n == SOCKET_ERROR ? WSAGetLastError() : 0;
    return n;
}

static void udp_probe(void) {
    char buf[256];
    SOCKADDR_STORAGE from;
    int fromlen, e;

    /* a is bound to an explicit port: wine's Linux host unbinds an implicitly chosen (port 0) one on
     * disconnect, and wine then refuses a second bind (WSAEINVAL); Windows keeps the port either way */
    SOCKET t = udp(AF_INET);
    struct sockaddr_in la = loopback4(0);
    CHECK(bind(t, (struct sockaddr *) &la, sizeof la) == 0, "bind t: %d", WSAGetLastError());
    int aport = port_of(t);
    closesocket(t);
    SOCKET a = udp(AF_INET);
    la = loopback4(aport);
    CHECK(bind(a, (struct sockaddr *) &la, sizeof la) == 0, "bind a to %d: %d", aport, WSAGetLastError());
    SOCKET b = udp(AF_INET6);
    struct sockaddr_in6 any6;
    memset(&any6, 0, sizeof any6);
    any6.sin6_family = AF_INET6;
    CHECK(bind(b, (struct sockaddr *) &any6, sizeof any6) == 0, "bind b [::]:0: %d", WSAGetLastError());
    int bport = port_of(b);

    /* would-block receive */
    CHECK(receive(a, buf, sizeof buf, &from, &fromlen, &e) == SOCKET_ERROR && e == WSAEWOULDBLOCK,
            "empty receive: WSAEWOULDBLOCK, got %d", e);

    /* dual-stack sendto an IPv4-mapped target; the receiver names the sender as AF_INET 127.0.0.1:bport */
    struct sockaddr_in6 mapped;
    memset(&mapped, 0, sizeof mapped);
    mapped.sin6_family = AF_INET6;
    mapped.sin6_port = htons((u_short) aport);
    mapped.sin6_addr.s6_addr[10] = 0xff;
    mapped.sin6_addr.s6_addr[11] = 0xff;
    mapped.sin6_addr.s6_addr[12] = 127;
    mapped.sin6_addr.s6_addr[15] = 1;
    CHECK(sendto(b, "hello", 5, 0, (struct sockaddr *) &mapped, sizeof mapped) == 5, "sendto mapped: %d",
            WSAGetLastError());
    CHECK(readable(a, 2000), "a readable");
    int n = receive(a, buf, sizeof buf, &from, &fromlen, &e);
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "recvfrom: %d (%d)", n, e);
    struct sockaddr_in *f4 = (struct sockaddr_in *) &from;
    CHECK(fromlen == 16 && f4->sin_family == AF_INET && ntohs(f4->sin_port) == bport
            && f4->sin_addr.s_addr == htonl(INADDR_LOOPBACK), "sender 127.0.0.1:%d, got len %d family %d port %d",
            bport, fromlen, f4->sin_family, ntohs(f4->sin_port));

    /* truncation: WSAEMSGSIZE, the buffer holds the head, the sender is named, the rest is gone */
    char big[100];
    for (int i = 0; i < 100; i++) big[i] = (char) i;
    struct sockaddr_in lb = loopback4(bport);
    CHECK(sendto(a, big, 100, 0, (struct sockaddr *) &lb, sizeof lb) == 100, "sendto 100: %d", WSAGetLastError());
    CHECK(readable(b, 2000), "b readable");
    memset(buf, 0x55, sizeof buf);
    n = receive(b, buf, 10, &from, &fromlen, &e);
    CHECK(n == SOCKET_ERROR && e == WSAEMSGSIZE, "truncated receive: WSAEMSGSIZE, got %d (%d)", n, e);
    CHECK(memcmp(buf, big, 10) == 0 && buf[10] == 0x55, "the head of the datagram, nothing past the buffer");
    CHECK(fromlen == (int) sizeof(struct sockaddr_in6) && from.ss_family == AF_INET6
            && ntohs(((struct sockaddr_in6 *) &from)->sin6_port) == aport,
            "the sender of a truncated datagram: len %d family %d", fromlen, from.ss_family);
    CHECK(receive(b, buf, sizeof buf, &from, &fromlen, &e) == SOCKET_ERROR && e == WSAEWOULDBLOCK,
            "the truncated rest is discarded: %d", e);

    /* zero-length datagram */
    CHECK(sendto(a, buf, 0, 0, (struct sockaddr *) &lb, sizeof lb) == 0, "sendto 0 bytes: %d", WSAGetLastError());
    CHECK(readable(b, 2000), "b readable (empty datagram)");
    CHECK(receive(b, buf, sizeof buf, &from, &fromlen, &e) == 0, "empty datagram: 0 bytes (%d)", e);

    /* unconnected, SIO_UDP_CONNRESET off: a send to a dead port leaves later receives unharmed */
    SOCKET dead = udp(AF_INET);
    struct sockaddr_in dl = loopback4(0);
    bind(dead, (struct sockaddr *) &dl, sizeof dl);
    int deadport = port_of(dead);
    closesocket(dead);
    struct sockaddr_in dt = loopback4(deadport);
    CHECK(sendto(a, "x", 1, 0, (struct sockaddr *) &dt, sizeof dt) == 1, "sendto dead port: %d", WSAGetLastError());
    Sleep(100);
    CHECK(receive(a, buf, sizeof buf, &from, &fromlen, &e) == SOCKET_ERROR && e == WSAEWOULDBLOCK,
            "unconnected after a refusal: WSAEWOULDBLOCK, got %d", e);

    /* connect (then SIO_UDP_CONNRESET on, as the channel's connected hook), send/recv, the peer filter */
    struct sockaddr_in tb = loopback4(bport);
    CHECK(connect(a, (struct sockaddr *) &tb, sizeof tb) == 0, "connect a->b: %d", WSAGetLastError());
    connreset(a, TRUE);
    SOCKET c = udp(AF_INET);
    struct sockaddr_in ta = loopback4(aport);
    CHECK(sendto(c, "other", 5, 0, (struct sockaddr *) &ta, sizeof ta) == 5, "third party sendto");
    CHECK(sendto(b, "peer", 4, 0, (struct sockaddr *) &mapped, sizeof mapped) == 4, "peer sendto");
    CHECK(readable(a, 2000), "a readable (connected)");
    n = recv(a, buf, sizeof buf, 0);
    CHECK(n == 4 && memcmp(buf, "peer", 4) == 0, "connected recv gets the peer's datagram only: %d", n);
    n = recv(a, buf, sizeof buf, 0);
    CHECK(n == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK, "the third party's datagram was filtered: %d", n);
    CHECK(send(a, "back", 4, 0) == 4, "connected send: %d", WSAGetLastError());
    CHECK(readable(b, 2000) && recv(b, buf, sizeof buf, 0) == 4, "b got it");

    /* disconnect: connect to 28 zero bytes (AF_UNSPEC), refusals off again; the peer is gone */
    char zero[28];
    memset(zero, 0, sizeof zero);
    CHECK(connect(a, (struct sockaddr *) zero, sizeof zero) == 0, "disconnect: %d", WSAGetLastError());
    connreset(a, FALSE);
    SOCKADDR_STORAGE peer;
    int plen = sizeof peer;
    CHECK(getpeername(a, (struct sockaddr *) &peer, &plen) == SOCKET_ERROR && WSAGetLastError() == WSAENOTCONN,
            "no peer after disconnect: %d", WSAGetLastError());
    CHECK(port_of(a) == aport, "the local port stays");
    CHECK(sendto(c, "again", 5, 0, (struct sockaddr *) &ta, sizeof ta) == 5, "third party again");
    CHECK(readable(a, 2000), "a readable after disconnect");
    n = receive(a, buf, sizeof buf, &from, &fromlen, &e);
    CHECK(n == 5 && memcmp(buf, "again", 5) == 0, "anyone's datagram after disconnect: %d (%d)", n, e);

    /* connected, refusals on: a refused send surfaces as WSAECONNRESET (where the stack reports ICMP) */
    SOCKET r = udp(AF_INET);
    CHECK(connect(r, (struct sockaddr *) &dt, sizeof dt) == 0, "connect to a dead port: %d", WSAGetLastError());
    connreset(r, TRUE);
    send(r, "x", 1, 0);
    Sleep(200);
    n = recv(r, buf, sizeof buf, 0);
    e = n == SOCKET_ERROR ? WSAGetLastError() : 0;
    CHECK(n == SOCKET_ERROR && (e == WSAECONNRESET || e == WSAEWOULDBLOCK), "connected refusal: %d (%d)", n, e);
    printf("connected UDP to a dead port, then recv: %s\n", e == WSAECONNRESET ? "WSAECONNRESET (ICMP reported)"
            : "WSAEWOULDBLOCK (this stack does not report the ICMP refusal)");
    if (e == WSAECONNRESET) { /* the JDK's purge: peek until no refusal is left */
        int peek = recv(r, buf, 1, MSG_PEEK);
        CHECK(peek == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK, "one refusal, reported once");
    }
    closesocket(r);

    /* DWORD multicast options */
    DWORD ttl = 7, loop = 1, got = 0;
    int glen = sizeof got;
    CHECK(setsockopt(a, IPPROTO_IP, IP_MULTICAST_TTL, (char *) &ttl, sizeof ttl) == 0, "IP_MULTICAST_TTL: %d",
            WSAGetLastError());
    CHECK(getsockopt(a, IPPROTO_IP, IP_MULTICAST_TTL, (char *) &got, &glen) == 0 && got == 7,
            "IP_MULTICAST_TTL reads back 7: %lu (len %d)", got, glen);
    CHECK(setsockopt(a, IPPROTO_IP, IP_MULTICAST_LOOP, (char *) &loop, sizeof loop) == 0, "IP_MULTICAST_LOOP: %d",
            WSAGetLastError());
    DWORD hops = 5;
    CHECK(setsockopt(b, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, (char *) &hops, sizeof hops) == 0,
            "IPV6_MULTICAST_HOPS: %d", WSAGetLastError());
    glen = sizeof got;
    CHECK(getsockopt(b, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, (char *) &got, &glen) == 0 && got == 5,
            "IPV6_MULTICAST_HOPS reads back 5: %lu", got);

    /* IPv4 multicast on the loopback interface: ip_mreq join, IP_MULTICAST_IF, a datagram to the group */
    SOCKET m = udp(AF_INET);
    struct sockaddr_in many;
    memset(&many, 0, sizeof many);
    many.sin_family = AF_INET;
    CHECK(bind(m, (struct sockaddr *) &many, sizeof many) == 0, "bind 0.0.0.0:0");
    int mport = port_of(m);
    struct ip_mreq mreq;
    mreq.imr_multiaddr.s_addr = htonl(0xEFFF0102); /* 239.255.1.2 */
    mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    int joined = setsockopt(m, IPPROTO_IP, IP_ADD_MEMBERSHIP, (char *) &mreq, sizeof mreq);
    e = joined ? WSAGetLastError() : 0;
    CHECK(joined == 0, "IP_ADD_MEMBERSHIP 239.255.1.2 on 127.0.0.1: %d", e);
    if (joined == 0) {
        struct in_addr ifa;
        ifa.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(setsockopt(c, IPPROTO_IP, IP_MULTICAST_IF, (char *) &ifa, sizeof ifa) == 0, "IP_MULTICAST_IF: %d",
                WSAGetLastError());
        struct in_addr back;
        glen = sizeof back;
        CHECK(getsockopt(c, IPPROTO_IP, IP_MULTICAST_IF, (char *) &back, &glen) == 0
                && back.s_addr == htonl(INADDR_LOOPBACK), "IP_MULTICAST_IF reads back 127.0.0.1");
        struct sockaddr_in group;
        memset(&group, 0, sizeof group);
        group.sin_family = AF_INET;
        group.sin_port = htons((u_short) mport);
        group.sin_addr.s_addr = mreq.imr_multiaddr.s_addr;
        CHECK(sendto(c, "mcast", 5, 0, (struct sockaddr *) &group, sizeof group) == 5, "sendto group: %d",
                WSAGetLastError());
        CHECK(readable(m, 2000), "member readable");
        n = receive(m, buf, sizeof buf, &from, &fromlen, &e);
        CHECK(n == 5 && memcmp(buf, "mcast", 5) == 0, "the group's datagram: %d (%d)", n, e);
        /* block that sender (ip_mreq_source, Windows order: group, source, interface) */
        struct ip_mreq_source ms;
        ms.imr_multiaddr = mreq.imr_multiaddr;
        ms.imr_sourceaddr.s_addr = htonl(INADDR_LOOPBACK);
        ms.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(offsetof(struct ip_mreq_source, imr_sourceaddr) == 4 && offsetof(struct ip_mreq_source, imr_interface) == 8,
                "Windows' ip_mreq_source order");
        CHECK(setsockopt(m, IPPROTO_IP, IP_BLOCK_SOURCE, (char *) &ms, sizeof ms) == 0, "IP_BLOCK_SOURCE: %d",
                WSAGetLastError());
        CHECK(sendto(c, "block", 5, 0, (struct sockaddr *) &group, sizeof group) == 5, "sendto group (blocked)");
        CHECK(!readable(m, 300), "a blocked source's datagram does not arrive");
        CHECK(setsockopt(m, IPPROTO_IP, IP_UNBLOCK_SOURCE, (char *) &ms, sizeof ms) == 0, "IP_UNBLOCK_SOURCE: %d",
                WSAGetLastError());
        CHECK(setsockopt(m, IPPROTO_IP, IP_DROP_MEMBERSHIP, (char *) &mreq, sizeof mreq) == 0, "IP_DROP_MEMBERSHIP: %d",
                WSAGetLastError());
        /* source-specific join of source 127.0.0.2 on interface 127.0.0.1 (distinct, so that the two
         * fields cannot be confused): 127.0.0.1's datagram is filtered, 127.0.0.2's arrives */
        ms.imr_sourceaddr.s_addr = htonl(0x7F000002);
        CHECK(setsockopt(m, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, (char *) &ms, sizeof ms) == 0,
                "IP_ADD_SOURCE_MEMBERSHIP: %d", WSAGetLastError());
        if (running_on_wine()) {
            /* wine 8 hands ip_mreq_source to the host unchanged (dlls/ntdll/unix/socket.c, do_setsockopt),
             * and Linux reads it as {group, interface, source}: the filter cannot be observed here */
            printf("source-specific join: call accepted; filtering not observable under wine "
                    "(ip_mreq_source passed to Linux unconverted)\n");
            setsockopt(m, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, (char *) &ms, sizeof ms);
            goto ssm_done;
        }
        CHECK(sendto(c, "other", 5, 0, (struct sockaddr *) &group, sizeof group) == 5, "sendto group from .1");
        CHECK(!readable(m, 300), "another source's datagram does not arrive");
        SOCKET c2 = udp(AF_INET);
        struct sockaddr_in l2 = loopback4(0);
        l2.sin_addr.s_addr = htonl(0x7F000002);
        CHECK(bind(c2, (struct sockaddr *) &l2, sizeof l2) == 0, "bind 127.0.0.2: %d", WSAGetLastError());
        CHECK(setsockopt(c2, IPPROTO_IP, IP_MULTICAST_IF, (char *) &ifa, sizeof ifa) == 0, "IP_MULTICAST_IF c2");
        CHECK(sendto(c2, "ssm", 3, 0, (struct sockaddr *) &group, sizeof group) == 3, "sendto group from .2");
        CHECK(readable(m, 2000), "source-specific member readable");
        n = receive(m, buf, sizeof buf, &from, &fromlen, &e);
        CHECK(n == 3 && memcmp(buf, "ssm", 3) == 0, "the source's datagram: %d (%d)", n, e);
        CHECK(((struct sockaddr_in *) &from)->sin_addr.s_addr == htonl(0x7F000002), "sent by 127.0.0.2");
        closesocket(c2);
        CHECK(setsockopt(m, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, (char *) &ms, sizeof ms) == 0,
                "IP_DROP_SOURCE_MEMBERSHIP: %d", WSAGetLastError());
    ssm_done:;
    }
    closesocket(m);

    /* SO_REUSEADDR set for real on datagram sockets (WindowsDatagramOps), then bind's best-effort
     * SO_EXCLUSIVEADDRUSE (WindowsSocketOps.bind): two receivers share one port */
    {
        SOCKET r1 = udp(AF_INET), r2 = udp(AF_INET);
        DWORD on = 1;
        CHECK(setsockopt(r1, SOL_SOCKET, SO_REUSEADDR, (char *) &on, sizeof on) == 0, "SO_REUSEADDR r1: %d",
                WSAGetLastError());
        CHECK(setsockopt(r2, SOL_SOCKET, SO_REUSEADDR, (char *) &on, sizeof on) == 0, "SO_REUSEADDR r2");
        DWORD got2 = 0;
        int l2 = sizeof got2;
        CHECK(getsockopt(r1, SOL_SOCKET, SO_REUSEADDR, (char *) &got2, &l2) == 0 && got2 != 0,
                "SO_REUSEADDR reads back on: %lu", got2);
        int ex1 = setsockopt(r1, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *) &on, sizeof on);
        int ex1e = ex1 ? WSAGetLastError() : 0;
        setsockopt(r2, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *) &on, sizeof on);
        CHECK(ex1 == SOCKET_ERROR && ex1e == WSAEINVAL, "SO_EXCLUSIVEADDRUSE after SO_REUSEADDR: WSAEINVAL "
                "(the two are exclusive), got %d (%d)", ex1, ex1e);
        struct sockaddr_in shared = loopback4(mport);
        shared.sin_addr.s_addr = htonl(INADDR_ANY);
        CHECK(bind(r1, (struct sockaddr *) &shared, sizeof shared) == 0, "bind r1 to %d: %d", mport,
                WSAGetLastError());
        CHECK(bind(r2, (struct sockaddr *) &shared, sizeof shared) == 0, "bind r2 to the same port: %d",
                WSAGetLastError());
        closesocket(r1);
        closesocket(r2);
    }

    /* AFD poll of a UDP socket: SEND at once, RECEIVE when a datagram arrives */
    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    HANDLE afd = open_afd();
    static SLOT so, si;
    NTSTATUS st = submit(afd, &so, a, WATCH_OUT);
    CHECK(st == ST_PENDING || st == ST_SUCCESS, "poll OUT submitted: 0x%lx", (unsigned long) st);
    long ev = completion(&so, 2000);
    CHECK(ev > 0 && (ev & AFD_POLL_SEND), "a UDP socket is writable: events 0x%lx", ev);
    st = submit(afd, &si, a, WATCH_IN);
    CHECK(st == ST_PENDING, "poll IN pending on an empty UDP socket: 0x%lx", (unsigned long) st);
    CHECK(completion(&si, 200) == -1, "no RECEIVE before a datagram");
    CHECK(sendto(c, "poll", 4, 0, (struct sockaddr *) &ta, sizeof ta) == 4, "sendto for the poll");
    ev = completion(&si, 2000);
    CHECK(ev > 0 && (ev & AFD_POLL_RECEIVE), "RECEIVE after a datagram: events 0x%lx", ev);
    n = receive(a, buf, sizeof buf, &from, &fromlen, &e);
    CHECK(n == 4, "the polled datagram: %d (%d)", n, e);
    CloseHandle(afd);
    CloseHandle(port);

    closesocket(a);
    closesocket(b);
    closesocket(c);
}

/* ---- AF_UNIX streams as WindowsUnixOps uses them */
static void unix_probe(void) {
    SOCKET l = WSASocketW(AF_UNIX, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (l == INVALID_SOCKET) {
        int e = WSAGetLastError();
        printf("AF_UNIX: WSASocketW failed with %d%s: NOT SUPPORTED by this Winsock, AF_UNIX sequence skipped\n",
                e, e == WSAEAFNOSUPPORT ? " (WSAEAFNOSUPPORT)" : "");
        CHECK(e == WSAEAFNOSUPPORT || e == WSAEPROTONOSUPPORT || e == WSAESOCKTNOSUPPORT,
                "an AF_UNIX refusal is an unsupported family: %d", e);
        return;
    }
    printf("AF_UNIX: supported\n");
    u_long one = 1;
    CHECK(ioctlsocket(l, FIONBIO, &one) == 0, "FIONBIO: %d", WSAGetLastError());
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    char dir[MAX_PATH];
    GetTempPathA(sizeof dir, dir);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%sedgewise-probe-%lu.sock", dir, GetCurrentProcessId());
    DeleteFileA(sa.sun_path);
    int salen = (int) (offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);
    CHECK(bind(l, (struct sockaddr *) &sa, salen) == 0, "bind %s: %d", sa.sun_path, WSAGetLastError());
    CHECK(listen(l, 5) == 0, "listen: %d", WSAGetLastError());

    struct sockaddr_un got;
    int glen = sizeof got;
    CHECK(getsockname(l, (struct sockaddr *) &got, &glen) == 0 && got.sun_family == AF_UNIX
            && strcmp(got.sun_path, sa.sun_path) == 0, "listener's name is the path: %d", WSAGetLastError());

    /* an accept with nothing pending would block */
    SOCKET none = accept(l, NULL, NULL);
    CHECK(none == INVALID_SOCKET && WSAGetLastError() == WSAEWOULDBLOCK, "empty accept: %d", WSAGetLastError());

    SOCKET c = WSASocketW(AF_UNIX, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    CHECK(c != INVALID_SOCKET, "client socket: %d", WSAGetLastError());
    CHECK(ioctlsocket(c, FIONBIO, &one) == 0, "client FIONBIO");
    int r = connect(c, (struct sockaddr *) &sa, salen);
    int e = r ? WSAGetLastError() : 0;
    CHECK(r == 0 || e == WSAEWOULDBLOCK, "non-blocking connect: %d", e);
    printf("AF_UNIX non-blocking connect: %s\n", r == 0 ? "completed at once" : "WSAEWOULDBLOCK");
    if (r != 0) { /* WindowsUnixOps: a repeated connect, else finishConnect's select */
        fd_set wr, ex;
        FD_ZERO(&wr); FD_ZERO(&ex);
        FD_SET(c, &wr); FD_SET(c, &ex);
        struct timeval tv = { 2, 0 };
        CHECK(select(0, NULL, &wr, &ex, &tv) == 1 && FD_ISSET(c, &wr), "connect completes (writable)");
        r = connect(c, (struct sockaddr *) &sa, salen);
        e = r ? WSAGetLastError() : 0;
        CHECK(r == 0 || e == WSAEISCONN || e == WSAEALREADY || e == WSAEINVAL, "a second connect: %d", e);
    }
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(l, &rd);
    struct timeval tv = { 2, 0 };
    CHECK(select(0, &rd, NULL, NULL, &tv) == 1, "listener readable");
    SOCKADDR_STORAGE from;
    int flen = sizeof from;
    SOCKET s = accept(l, (struct sockaddr *) &from, &flen);
    CHECK(s != INVALID_SOCKET, "accept: %d", WSAGetLastError());
    if (s == INVALID_SOCKET) return;
    CHECK(from.ss_family == AF_UNIX, "accepted peer's family is AF_UNIX: %d", from.ss_family);

    glen = sizeof got;
    memset(&got, 0x7f, sizeof got);
    CHECK(getpeername(c, (struct sockaddr *) &got, &glen) == 0 && got.sun_family == AF_UNIX
            && strcmp(got.sun_path, sa.sun_path) == 0, "client's peer is the path: %d", WSAGetLastError());
    glen = sizeof got;
    memset(&got, 0, sizeof got);
    r = getsockname(c, (struct sockaddr *) &got, &glen);
    CHECK(r == 0 && got.sun_family == AF_UNIX && (glen <= 2 || got.sun_path[0] == 0),
            "an unbound client's own name is unnamed: r %d (%d) len %d", r, r ? WSAGetLastError() : 0, glen);

    CHECK(send(c, "unix!", 5, 0) == 5, "send: %d", WSAGetLastError());
    char buf[16];
    FD_ZERO(&rd);
    FD_SET(s, &rd);
    CHECK(select(0, &rd, NULL, NULL, &tv) == 1, "accepted socket readable");
    CHECK(recv(s, buf, sizeof buf, 0) == 5 && memcmp(buf, "unix!", 5) == 0, "recv");
    int n = recv(s, buf, sizeof buf, 0);
    CHECK(n == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK, "drained: would block (%d)", n);

    /* a second bind to the same path: address in use (a BindException in Java) */
    SOCKET l2 = WSASocketW(AF_UNIX, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    r = bind(l2, (struct sockaddr *) &sa, salen);
    e = r ? WSAGetLastError() : 0;
    CHECK(r == SOCKET_ERROR && e == WSAEADDRINUSE, "bind to an existing path: WSAEADDRINUSE, got %d", e);
    closesocket(l2);

    closesocket(c);
    closesocket(s);
    closesocket(l);
    CHECK(DeleteFileA(sa.sun_path), "the socket file stays after close until deleted: %lu", GetLastError());
}

int main(void) {
    WSADATA wsa;
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0, "WSAStartup");
    udp_probe();
    unix_probe();
    PROBE_END("winsock_dgram");
}
