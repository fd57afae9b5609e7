package io.edgewise.sys.linux;


/** Linux x86_64/aarch64 constants and struct layouts used by the bindings (asm-generic values). */
public final class Linux {
    private Linux() { }

    // errno
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, EFAULT = 14, EINVAL = 22, ENFILE = 23, EMFILE = 24, EPIPE = 32,
            ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90, EPROTOTYPE = 91, ENOPROTOOPT = 92,
            EPROTONOSUPPORT = 93, EOPNOTSUPP = 95, EAFNOSUPPORT = 97, EADDRINUSE = 98,
            EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101, ECONNABORTED = 103,
            ECONNRESET = 104, ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107, ETIMEDOUT = 110,
            ECONNREFUSED = 111, EHOSTDOWN = 112, EHOSTUNREACH = 113, EALREADY = 114,
            EINPROGRESS = 115, EPROTO = 71;

    // socket(2)
    public static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public static final int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    public static final int MSG_NOSIGNAL = 0x4000, MSG_PEEK = 0x2, MSG_OOB = 0x1, MSG_DONTWAIT = 0x40;

    // socket options
    public static final int SOL_SOCKET = 1, IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_IPV6 = 41;
    public static final int SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_BROADCAST = 6,
            SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_OOBINLINE = 10, SO_LINGER = 13,
            SO_REUSEPORT = 15, SO_ACCEPTCONN = 30, SO_INCOMING_NAPI_ID = 56;
    public static final int TCP_NODELAY = 1, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6,
            TCP_QUICKACK = 12;
    public static final int IP_TOS = 1;
    public static final int IPV6_V6ONLY = 26, IPV6_TCLASS = 67;

    // ioctl
    public static final long FIONREAD = 0x541B;

    // fcntl
    public static final int F_GETFL = 3, F_SETFL = 4;

    // eventfd
    public static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    // poll
    public static final short POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8,
            POLLHUP = 0x10, POLLNVAL = 0x20;
    /** struct pollfd: int fd; short events; short revents. */
    public static final int POLLFD_SIZE = 8, POLLFD_EVENTS = 4, POLLFD_REVENTS = 6;

    // epoll
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8,
            EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    /** struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
    public static final int EPOLL_EVENT_SIZE, EPOLL_EVENT_DATA;
    static {
        String arch = io.edgewise.sys.Platform.Os.ARCH;
        boolean packed = arch.equals("amd64") || arch.equals("x86_64");
        EPOLL_EVENT_SIZE = packed ? 12 : 16;
        EPOLL_EVENT_DATA = packed ? 4 : 8;
    }

    /** struct iovec: void *iov_base; size_t iov_len. */
    public static final int IOVEC_SIZE = 16;
    public static final int IOV_MAX = 1024;

    /** errno: file exists (epoll_ctl ADD of a registered descriptor). */
    public static final int EEXIST = 17;

    /** sockaddr layouts. */
    public static final int SOCKADDR_IN_SIZE = 16, SOCKADDR_IN6_SIZE = 28, SOCKADDR_STORAGE_SIZE = 128;
    public static final int SOCKADDR_UN_SIZE = 110, SUN_PATH_OFFSET = 2, SUN_PATH_MAX = 108;

    // datagrams and multicast
    public static final int AF_UNSPEC = 0;
    public static final int MSG_TRUNC = 0x20;
    public static final int IP_MULTICAST_IF = 32, IP_MULTICAST_TTL = 33, IP_MULTICAST_LOOP = 34,
            IP_MULTICAST_ALL = 49, IPV6_MULTICAST_ALL = 29;
    /** ip_mreqn / ipv6_mreq calls (the POSIX layer's fallback where a platform lacks group_req). */
    public static final int IP_ADD_MEMBERSHIP = 35, IP_DROP_MEMBERSHIP = 36, IPV6_ADD_MEMBERSHIP = 20,
            IPV6_DROP_MEMBERSHIP = 21;
    public static final int IP_MTU_DISCOVER = 10, IPV6_MTU_DISCOVER = 23, IP_PMTUDISC_DONT = 0, IP_PMTUDISC_DO = 2;
    public static final int IPV6_MULTICAST_IF = 17, IPV6_MULTICAST_HOPS = 18, IPV6_MULTICAST_LOOP = 19;
    /** RFC 3678 protocol-independent multicast API (struct group_req / group_source_req). */
    public static final int MCAST_JOIN_GROUP = 42, MCAST_BLOCK_SOURCE = 43, MCAST_UNBLOCK_SOURCE = 44,
            MCAST_LEAVE_GROUP = 45, MCAST_JOIN_SOURCE_GROUP = 46, MCAST_LEAVE_SOURCE_GROUP = 47;
    /** group_req: u32 interface, (pad), sockaddr_storage group; group_source_req adds sockaddr_storage source. */
    public static final int GR_GROUP = 8, GR_SIZE = 136, GSR_SOURCE = 136, GSR_SIZE = 264;

    // Unix domain sockets, inherited channels
    public static final int SO_PASSCRED = 16, SO_PEERCRED = 17, SO_DOMAIN = 39;
    public static final int F_DUPFD_CLOEXEC = 1030, O_RDWR = 2;

    /** getrlimit resource: open descriptors. */
    public static final int RLIMIT_NOFILE = 7;
}
