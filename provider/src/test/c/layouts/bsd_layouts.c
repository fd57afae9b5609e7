/* Prints, as NAME=value lines, the kqueue and socket layouts the BSD/macOS code uses
 * (io.edgewise.sys.bsd: KeventLayout, SockAddrs, BsdSocketOps' iovec/pollfd, LinuxValues), for
 * io.edgewise.kqueue.BsdHeaderLayoutTest to compare with the Java values. Built with the host's cc.
 *
 * Compiled from real headers here (marked [header]):
 *  - libkqueue's <sys/event.h> (from the source tarball next to libkqueue.so.0; -DHAVE_LIBKQUEUE_H):
 *    its struct kevent, EVFILT_READ/WRITE/USER, EV_* flags, NOTE_TRIGGER;
 *  - Linux's own headers: everything LinuxValues hands to the POSIX code on Linux, and the Linux
 *    sockaddr/iovec/pollfd/msghdr layouts.
 * Declared here from a cited source and measured by this compiler (marked [declared]): no macOS or
 * BSD SDK can be installed on this Linux machine. These structs hold only fixed-width integers and
 * pointers, which the LP64 ABIs of macOS (x86_64, arm64), FreeBSD, OpenBSD and NetBSD (amd64, arm64)
 * align exactly as x86-64 Linux does (natural alignment; macOS's kevent is under #pragma pack(4),
 * reproduced), so the offsets measured here are theirs:
 *  - macOS struct kevent: apple-oss-distributions/xnu bsd/sys/event.h (commit 1031c584): uintptr_t
 *    ident; int16_t filter; uint16_t flags; uint32_t fflags; intptr_t data; void *udata; pack(4).
 *    EVFILT_USER (-10) from the same file.
 *  - FreeBSD 12+ struct kevent: freebsd-src sys/sys/event.h (since r320043, FreeBSD 12.0): __uintptr_t
 *    ident; short filter; unsigned short flags; unsigned int fflags; __int64_t data; void *udata;
 *    __uint64_t ext[4]. EVFILT_USER (-11) from the same file; kevent(2) of FreeBSD 12.
 *  - OpenBSD struct kevent: openbsd/src sys/sys/event.h: __uintptr_t ident; short filter; unsigned
 *    short flags; unsigned int fflags; __int64_t data; void *udata (32 bytes); no EVFILT_USER before 7.4.
 *  - NetBSD struct kevent as taken by __kevent50 (NetBSD 5.0+ ABI): uintptr_t ident; uint32_t filter;
 *    uint32_t flags; uint32_t fflags; int64_t data; void *udata (netbsd/src sys/sys/event.h before
 *    NetBSD 10, which keeps __kevent50 for this layout); EVFILT_USER 8.
 *  - BSD sockaddr_in: uint8_t sin_len; sa_family_t (uint8_t) sin_family; in_port_t sin_port; struct
 *    in_addr sin_addr; char sin_zero[8]. sockaddr_in6: uint8_t sin6_len; uint8_t sin6_family; in_port_t
 *    sin6_port; uint32_t sin6_flowinfo; struct in6_addr sin6_addr; uint32_t sin6_scope_id
 *    (netinet/in.h, netinet6/in6.h of all four; 4.4BSD-Lite's layout).
 *  - BSD struct iovec {void *iov_base; size_t iov_len}, struct pollfd {int fd; short events; short
 *    revents} (sys/uio.h, poll.h), msghdr {void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov;
 *    int msg_iovlen; void *msg_control; socklen_t msg_controllen; int msg_flags} (sys/socket.h of macOS
 *    and FreeBSD: 48 bytes; Linux's has size_t iovlen/controllen: 56). The BSD code binds no msghdr
 *    call today (readv/writev); the numbers are here for the one that will.
 */
#define _GNU_SOURCE /* IOV_MAX, SOCK_NONBLOCK */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#ifdef HAVE_LIBKQUEUE_H
#include <sys/event.h> /* libkqueue's, from -I */
#endif

#define P(name, value) printf("%s=%lld\n", name, (long long) (value))
#define KEVENT(prefix, T, filter_) do { \
        P(prefix ".size", sizeof(T)); P(prefix ".filterOffset", offsetof(T, filter_)); \
        P(prefix ".flagsOffset", offsetof(T, flags)); P(prefix ".fflagsOffset", offsetof(T, fflags)); \
        P(prefix ".dataOffset", offsetof(T, data)); P(prefix ".udataOffset", offsetof(T, udata)); \
        P(prefix ".wide", sizeof(((T *) 0)->filter_) == 4); \
    } while (0)

/* [declared] */
#pragma pack(push, 4)
typedef struct { uintptr_t ident; int16_t filter; uint16_t flags; uint32_t fflags; intptr_t data; void *udata; } darwin_kevent;
#pragma pack(pop)
typedef struct { uintptr_t ident; short filter; unsigned short flags; unsigned int fflags; int64_t data; void *udata;
                 uint64_t ext[4]; } freebsd_kevent;
typedef struct { uintptr_t ident; short filter; unsigned short flags; unsigned int fflags; int64_t data; void *udata; } openbsd_kevent;
typedef struct { uintptr_t ident; uint32_t filter; uint32_t flags; uint32_t fflags; int64_t data; void *udata; } netbsd_kevent;
typedef struct { uint8_t sin_len; uint8_t sin_family; uint16_t sin_port; uint32_t sin_addr; char sin_zero[8]; } bsd_sockaddr_in;
typedef struct { uint8_t sin6_len; uint8_t sin6_family; uint16_t sin6_port; uint32_t sin6_flowinfo; uint8_t sin6_addr[16];
                 uint32_t sin6_scope_id; } bsd_sockaddr_in6;
typedef struct { void *iov_base; size_t iov_len; } bsd_iovec;
typedef struct { int fd; short events; short revents; } bsd_pollfd;
typedef struct { void *msg_name; uint32_t msg_namelen; bsd_iovec *msg_iov; int msg_iovlen; void *msg_control;
                 uint32_t msg_controllen; int msg_flags; } bsd_msghdr;

/* [declared] datagram and Unix-domain layouts (PosixDatagramOps, PosixUnixOps):
 *  - struct group_req { uint32_t gr_interface; struct sockaddr_storage gr_group; } and group_source_req
 *    (+ gsr_source): netinet/in.h of macOS (under #pragma pack(4)) and FreeBSD (natural alignment);
 *    sockaddr_storage is 128 bytes, 8-aligned (int64 member) on both.
 *  - struct sockaddr_un { uint8_t sun_len; sa_family_t sun_family; char sun_path[104]; } (sys/un.h).
 *  - struct xucred { u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16]; } on macOS
 *    (sys/ucred.h), with FreeBSD's trailing union { void *_cr_unused1; pid_t cr_pid; } (FreeBSD 13+).
 *  - OpenBSD struct sockpeercred { uid_t uid; gid_t gid; pid_t pid; } (sys/socket.h); NetBSD struct
 *    unpcbid { pid_t unp_pid; uid_t unp_euid; gid_t unp_egid; } (sys/un.h). */
typedef struct { uint8_t ss_len; uint8_t ss_family; char pad1[6]; int64_t align; char pad2[112]; } bsd_sockaddr_storage;
#pragma pack(push, 4)
typedef struct { uint32_t gr_interface; bsd_sockaddr_storage gr_group; } darwin_group_req;
typedef struct { uint32_t gsr_interface; bsd_sockaddr_storage gsr_group; bsd_sockaddr_storage gsr_source; } darwin_group_source_req;
#pragma pack(pop)
typedef struct { uint32_t gr_interface; bsd_sockaddr_storage gr_group; } freebsd_group_req;
typedef struct { uint32_t gsr_interface; bsd_sockaddr_storage gsr_group; bsd_sockaddr_storage gsr_source; } freebsd_group_source_req;
typedef struct { uint8_t sun_len; uint8_t sun_family; char sun_path[104]; } bsd_sockaddr_un;
typedef struct { unsigned cr_version; uint32_t cr_uid; short cr_ngroups; uint32_t cr_groups[16]; } darwin_xucred;
typedef struct { unsigned cr_version; uint32_t cr_uid; short cr_ngroups; uint32_t cr_groups[16];
                 union { void *unused; int32_t cr_pid; } u; } freebsd_xucred;
typedef struct { uint32_t uid; uint32_t gid; int32_t pid; } openbsd_sockpeercred;
typedef struct { int32_t unp_pid; uint32_t unp_euid; uint32_t unp_egid; } netbsd_unpcbid;

int main(void) {
    KEVENT("macos.kevent", darwin_kevent, filter);
    KEVENT("freebsd.kevent", freebsd_kevent, filter);
    KEVENT("openbsd.kevent", openbsd_kevent, filter);
    KEVENT("netbsd.kevent", netbsd_kevent, filter);
    P("macos.evfiltUser", -10);
    P("freebsd.evfiltUser", -11);
    P("netbsd.evfiltRead", 0); P("netbsd.evfiltWrite", 1); P("netbsd.evfiltUser", 8);

    P("bsd.sockaddr_in.size", sizeof(bsd_sockaddr_in));
    P("bsd.sockaddr_in.len", offsetof(bsd_sockaddr_in, sin_len));
    P("bsd.sockaddr_in.family", offsetof(bsd_sockaddr_in, sin_family));
    P("bsd.sockaddr_in.port", offsetof(bsd_sockaddr_in, sin_port));
    P("bsd.sockaddr_in.addr", offsetof(bsd_sockaddr_in, sin_addr));
    P("bsd.sockaddr_in6.size", sizeof(bsd_sockaddr_in6));
    P("bsd.sockaddr_in6.len", offsetof(bsd_sockaddr_in6, sin6_len));
    P("bsd.sockaddr_in6.family", offsetof(bsd_sockaddr_in6, sin6_family));
    P("bsd.sockaddr_in6.port", offsetof(bsd_sockaddr_in6, sin6_port));
    P("bsd.sockaddr_in6.addr", offsetof(bsd_sockaddr_in6, sin6_addr));
    P("bsd.sockaddr_in6.scope", offsetof(bsd_sockaddr_in6, sin6_scope_id));
    P("bsd.iovec.size", sizeof(bsd_iovec));
    P("bsd.iovec.base", offsetof(bsd_iovec, iov_base));
    P("bsd.iovec.len", offsetof(bsd_iovec, iov_len));
    P("bsd.pollfd.size", sizeof(bsd_pollfd));
    P("bsd.pollfd.events", offsetof(bsd_pollfd, events));
    P("bsd.pollfd.revents", offsetof(bsd_pollfd, revents));
    P("bsd.msghdr.size", sizeof(bsd_msghdr));
    P("bsd.msghdr.iov", offsetof(bsd_msghdr, msg_iov));
    P("bsd.msghdr.iovlen", offsetof(bsd_msghdr, msg_iovlen));

    P("macos.grGroup", offsetof(darwin_group_req, gr_group)); P("macos.grSize", sizeof(darwin_group_req));
    P("macos.gsrSource", offsetof(darwin_group_source_req, gsr_source)); P("macos.gsrSize", sizeof(darwin_group_source_req));
    P("freebsd.grGroup", offsetof(freebsd_group_req, gr_group)); P("freebsd.grSize", sizeof(freebsd_group_req));
    P("freebsd.gsrSource", offsetof(freebsd_group_source_req, gsr_source));
    P("freebsd.gsrSize", sizeof(freebsd_group_source_req));
    P("bsd.sunPathOffset", offsetof(bsd_sockaddr_un, sun_path)); P("bsd.sunPathMax", sizeof(((bsd_sockaddr_un *) 0)->sun_path));
    P("macos.peerCredLen", sizeof(darwin_xucred)); P("macos.peerUidOff", offsetof(darwin_xucred, cr_uid));
    P("macos.peerGidOff", offsetof(darwin_xucred, cr_groups));
    P("freebsd.peerCredLen", sizeof(freebsd_xucred)); P("freebsd.peerUidOff", offsetof(freebsd_xucred, cr_uid));
    P("freebsd.peerGidOff", offsetof(freebsd_xucred, cr_groups)); P("freebsd.peerPidOff", offsetof(freebsd_xucred, u));
    P("openbsd.peerCredLen", sizeof(openbsd_sockpeercred)); P("openbsd.peerUidOff", offsetof(openbsd_sockpeercred, uid));
    P("openbsd.peerGidOff", offsetof(openbsd_sockpeercred, gid)); P("openbsd.peerPidOff", offsetof(openbsd_sockpeercred, pid));
    P("netbsd.peerCredLen", sizeof(netbsd_unpcbid)); P("netbsd.peerPidOff", offsetof(netbsd_unpcbid, unp_pid));
    P("netbsd.peerUidOff", offsetof(netbsd_unpcbid, unp_euid)); P("netbsd.peerGidOff", offsetof(netbsd_unpcbid, unp_egid));

    /* [header] Linux: the same layouts, and the values LinuxValues gives the POSIX code */
    P("linux.sockaddr_in.size", sizeof(struct sockaddr_in));
    P("linux.sockaddr_in.family", offsetof(struct sockaddr_in, sin_family));
    P("linux.sockaddr_in.port", offsetof(struct sockaddr_in, sin_port));
    P("linux.sockaddr_in.addr", offsetof(struct sockaddr_in, sin_addr));
    P("linux.sockaddr_in6.size", sizeof(struct sockaddr_in6));
    P("linux.sockaddr_in6.port", offsetof(struct sockaddr_in6, sin6_port));
    P("linux.sockaddr_in6.addr", offsetof(struct sockaddr_in6, sin6_addr));
    P("linux.sockaddr_in6.scope", offsetof(struct sockaddr_in6, sin6_scope_id));
    P("linux.sockaddr_storage.size", sizeof(struct sockaddr_storage));
    P("linux.iovec.size", sizeof(struct iovec));
    P("linux.pollfd.size", sizeof(struct pollfd));
    P("linux.pollfd.events", offsetof(struct pollfd, events));
    P("linux.pollfd.revents", offsetof(struct pollfd, revents));
    P("linux.msghdr.size", sizeof(struct msghdr));
    P("linux.msghdr.iov", offsetof(struct msghdr, msg_iov));
    P("linux.msghdr.iovlen", offsetof(struct msghdr, msg_iovlen));

#define L(field, value) P("linux." field, value)
    L("afInet", AF_INET); L("afInet6", AF_INET6);
    L("sockStream", SOCK_STREAM); L("sockDgram", SOCK_DGRAM);
    L("sockNonblock", SOCK_NONBLOCK); L("sockCloexec", SOCK_CLOEXEC);
    L("oNonblock", O_NONBLOCK); L("oCloexec", O_CLOEXEC); L("fGetfl", F_GETFL); L("fSetfl", F_SETFL);
    L("fSetfd", F_SETFD); L("fdCloexec", FD_CLOEXEC);
    L("msgNosignal", MSG_NOSIGNAL); L("msgOob", MSG_OOB);
#ifdef SO_NOSIGPIPE
    L("soNosigpipe", SO_NOSIGPIPE);
#else
    L("soNosigpipe", 0); /* Linux has none; 0 is PosixNet's "absent" */
#endif
    L("solSocket", SOL_SOCKET); L("ipprotoIp", IPPROTO_IP); L("ipprotoTcp", IPPROTO_TCP); L("ipprotoIpv6", IPPROTO_IPV6);
    L("soReuseaddr", SO_REUSEADDR); L("soReuseport", SO_REUSEPORT); L("soKeepalive", SO_KEEPALIVE);
    L("soBroadcast", SO_BROADCAST); L("soLinger", SO_LINGER); L("soOobinline", SO_OOBINLINE);
    L("soSndbuf", SO_SNDBUF); L("soRcvbuf", SO_RCVBUF); L("soError", SO_ERROR);
    L("tcpNodelay", TCP_NODELAY); L("tcpKeepidle", TCP_KEEPIDLE); L("tcpKeepintvl", TCP_KEEPINTVL);
    L("tcpKeepcnt", TCP_KEEPCNT); L("ipTos", IP_TOS); L("ipv6V6only", IPV6_V6ONLY); L("ipv6Tclass", IPV6_TCLASS);
    L("fionread", FIONREAD); L("iovMax", IOV_MAX);
    L("eintr", EINTR); L("eagain", EAGAIN); L("einprogress", EINPROGRESS); L("enotconn", ENOTCONN);
    L("econnreset", ECONNRESET); L("econnrefused", ECONNREFUSED); L("etimedout", ETIMEDOUT);
    L("ehostunreach", EHOSTUNREACH); L("eaddrinuse", EADDRINUSE); L("eaddrnotavail", EADDRNOTAVAIL);
    L("eacces", EACCES); L("eproto", EPROTO); L("econnaborted", ECONNABORTED); L("epipe", EPIPE);
    /* datagrams, multicast, Unix domain (PosixDatagramOps, PosixUnixOps) */
    L("afUnix", AF_UNIX); L("afUnspec", AF_UNSPEC);
    L("ipMulticastIf", IP_MULTICAST_IF); L("ipMulticastTtl", IP_MULTICAST_TTL); L("ipMulticastLoop", IP_MULTICAST_LOOP);
    L("ipv6MulticastIf", IPV6_MULTICAST_IF); L("ipv6MulticastHops", IPV6_MULTICAST_HOPS);
    L("ipv6MulticastLoop", IPV6_MULTICAST_LOOP);
    L("mcastJoinGroup", MCAST_JOIN_GROUP); L("mcastLeaveGroup", MCAST_LEAVE_GROUP);
    L("mcastJoinSourceGroup", MCAST_JOIN_SOURCE_GROUP); L("mcastLeaveSourceGroup", MCAST_LEAVE_SOURCE_GROUP);
    L("mcastBlockSource", MCAST_BLOCK_SOURCE); L("mcastUnblockSource", MCAST_UNBLOCK_SOURCE);
    L("ipAddMembership", IP_ADD_MEMBERSHIP); L("ipDropMembership", IP_DROP_MEMBERSHIP);
    L("ipv6JoinGroup", IPV6_ADD_MEMBERSHIP); L("ipv6LeaveGroup", IPV6_DROP_MEMBERSHIP);
    L("grGroup", offsetof(struct group_req, gr_group)); L("grSize", sizeof(struct group_req));
    L("gsrSource", offsetof(struct group_source_req, gsr_source)); L("gsrSize", sizeof(struct group_source_req));
    L("sunPathOffset", offsetof(struct sockaddr_un, sun_path)); L("sunPathMax", sizeof(((struct sockaddr_un *) 0)->sun_path));
    L("peerCredLevel", SOL_SOCKET); L("peerCredName", SO_PEERCRED); L("peerCredLen", sizeof(struct ucred));
    L("peerPidOff", offsetof(struct ucred, pid)); L("peerUidOff", offsetof(struct ucred, uid));
    L("peerGidOff", offsetof(struct ucred, gid));
    L("soType", SO_TYPE); L("soAcceptconn", SO_ACCEPTCONN); L("fDupfdCloexec", F_DUPFD_CLOEXEC); L("oRdwr", O_RDWR);
    L("enoprotoopt", ENOPROTOOPT); L("eafnosupport", EAFNOSUPPORT); L("eisconn", EISCONN); L("eopnotsupp", EOPNOTSUPP);
    L("einval", EINVAL);
    /* Linux's IP_DONTFRAGMENT is path-MTU discovery (LinuxDatagramOps), not IP_DONTFRAG: 0, "absent" */
    L("ipDontfrag", 0); L("ipv6Dontfrag", 0);

#ifdef HAVE_LIBKQUEUE_H
    /* [header] libkqueue's own declarations */
    KEVENT("libkqueue.kevent", struct kevent, filter);
    P("libkqueue.evfiltRead", EVFILT_READ); P("libkqueue.evfiltWrite", EVFILT_WRITE);
    P("libkqueue.evfiltUser", EVFILT_USER);
    P("libkqueue.eintr", EINTR); P("libkqueue.eagain", EAGAIN); P("libkqueue.enoent", ENOENT);
    P("libkqueue.ebadf", EBADF); P("libkqueue.einval", EINVAL);
    P("libkqueue.fGetfl", F_GETFL); P("libkqueue.fSetfl", F_SETFL); P("libkqueue.fSetfd", F_SETFD);
    P("libkqueue.fdCloexec", FD_CLOEXEC); P("libkqueue.oNonblock", O_NONBLOCK);
    P("EV_ADD", EV_ADD); P("EV_DELETE", EV_DELETE); P("EV_ENABLE", EV_ENABLE); P("EV_DISABLE", EV_DISABLE);
    P("EV_ONESHOT", EV_ONESHOT); P("EV_CLEAR", EV_CLEAR); P("EV_RECEIPT", EV_RECEIPT);
    P("EV_DISPATCH", EV_DISPATCH); P("EV_ERROR", EV_ERROR); P("EV_EOF", EV_EOF);
    P("NOTE_TRIGGER", NOTE_TRIGGER);
#endif
    printf("END\n");
    return 0;
}
