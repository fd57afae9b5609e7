/* Prints, as NAME=value lines, every Win64 size, offset and constant that the Java IOCP/Winsock code
 * uses (io.edgewise.sys.windows.Win64, one line per Java field of the same name), taken from the
 * headers a Windows program is compiled against: mingw-w64's SDK headers for everything Microsoft
 * declares. Io.edgewise.iocp.Win64HeaderLayoutTest compares each line with the Java constant; no number
 * here is copied from the Java side.
 *
 * Not in any header installable here (each documented where it is declared):
 *  - the AFD poll structures and IOCTL_AFD_POLL/AFD_POLL_* bits: Windows declares them in no public
 *    header. Wine's include/wine/afd.h (wine-mirror/wine, commit 0072c725; not shipped by Debian's
 *    libwine-dev) declares struct afd_poll_params as: LONGLONG timeout; unsigned int count; BOOLEAN
 *    (exclusive); BOOLEAN padding[3]; then per socket {SOCKET socket; int flags; NTSTATUS status},
 *    all under pshpack4.h (4-byte packing); IOCTL_AFD_POLL = CTL_CODE(FILE_DEVICE_BEEP, 0x809,
 *    METHOD_BUFFERED, FILE_ANY_ACCESS); AFD_POLL_READ 0x1, OOB 0x2, WRITE 0x4, HUP 0x8, RESET 0x10,
 *    CLOSE 0x20, CONNECT 0x40, ACCEPT 0x80, CONNECT_ERR 0x100. The struct is declared below from that
 *    description and measured by this compiler; the IOCTL code is computed with the SDK's CTL_CODE.
 *    The bits are printed under the Java names (AFD_POLL_RECEIVE = wine's AFD_POLL_READ, ...).
 *    provider/src/test/c/iocp/afd_poll.c then runs the poll against wine's real AFD with these values.
 *  - TCP_KEEPIDLE/TCP_KEEPCNT/TCP_KEEPINTVL: mingw-w64 12 lacks them; Microsoft's ws2ipdef.h (Windows
 *    SDK 10.0.16299 and later) has TCP_KEEPALIVE 3 (= TCP_KEEPIDLE), TCP_KEEPCNT 16, TCP_KEEPINTVL 17,
 *    documented at learn.microsoft.com "IPPROTO_TCP socket options". Printed only when the header has them.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>
#include <winioctl.h>
#include <ntstatus.h>
#include <afunix.h>
#include <stdio.h>
#include <stddef.h>

#pragma pack(push, 4)
typedef struct {
    LONGLONG timeout;
    unsigned int count;
    BOOLEAN exclusive;
    BOOLEAN padding[3];
    struct {
        SOCKET socket;
        int flags;
        NTSTATUS status;
    } sockets[1];
} afd_poll_params;
#pragma pack(pop)

#define P(name, value) printf("%s=%lld\n", name, (long long) (value))
#define C(name) P(#name, name)
/* io.edgewise.sys.windows.Win64Net: the datagram, multicast and AF_UNIX values (issue #20) */
#define N(name) P("Win64Net." #name, name)

int main(void) {
    afd_poll_params app;
    P("POINTER_SIZE", sizeof(void *));
    P("INVALID_HANDLE_VALUE", (LONG_PTR) INVALID_HANDLE_VALUE);
    P("INVALID_SOCKET", (long long) (SOCKET) INVALID_SOCKET);
    C(SOCKET_ERROR);
    P("INFINITE", (unsigned int) INFINITE);
    C(WAIT_TIMEOUT);
    C(HANDLE_FLAG_INHERIT);
    C(FILE_SKIP_SET_EVENT_ON_HANDLE);

    P("STATUS_SUCCESS", (unsigned int) STATUS_SUCCESS);
    P("STATUS_PENDING", (unsigned int) STATUS_PENDING);
    P("STATUS_CANCELLED", (unsigned int) STATUS_CANCELLED);
    P("STATUS_NOT_FOUND", (unsigned int) STATUS_NOT_FOUND);
    P("STATUS_INVALID_HANDLE", (unsigned int) STATUS_INVALID_HANDLE);
    P("STATUS_HANDLES_CLOSED", (unsigned int) STATUS_HANDLES_CLOSED);

    C(SYNCHRONIZE);
    C(FILE_SHARE_READ);
    C(FILE_SHARE_WRITE);
    C(FILE_OPEN);
    C(OBJ_CASE_INSENSITIVE);

    P("IOCTL_AFD_POLL", CTL_CODE(FILE_DEVICE_BEEP, 0x809, METHOD_BUFFERED, FILE_ANY_ACCESS));
    P("AFD_POLL_RECEIVE", 0x0001); /* wine afd.h AFD_POLL_READ */
    P("AFD_POLL_RECEIVE_EXPEDITED", 0x0002); /* AFD_POLL_OOB */
    P("AFD_POLL_SEND", 0x0004); /* AFD_POLL_WRITE */
    P("AFD_POLL_DISCONNECT", 0x0008); /* AFD_POLL_HUP */
    P("AFD_POLL_ABORT", 0x0010); /* AFD_POLL_RESET */
    P("AFD_POLL_LOCAL_CLOSE", 0x0020); /* AFD_POLL_CLOSE */
    P("AFD_POLL_ACCEPT", 0x0080); /* AFD_POLL_ACCEPT */
    P("AFD_POLL_CONNECT_FAIL", 0x0100); /* AFD_POLL_CONNECT_ERR */

    P("SIO_BASE_HANDLE", (unsigned int) SIO_BASE_HANDLE);
    P("FIONBIO", (unsigned int) FIONBIO);
    P("FIONREAD", (unsigned int) FIONREAD);
    P("WindowsSocketOps.SIO_UDP_CONNRESET", (unsigned int) SIO_UDP_CONNRESET);

    P("OVERLAPPED_SIZE", sizeof(OVERLAPPED));
    P("OVERLAPPED_INTERNAL", offsetof(OVERLAPPED, Internal));
    P("OVERLAPPED_INTERNAL_HIGH", offsetof(OVERLAPPED, InternalHigh));
    P("OVERLAPPED_OFFSET", offsetof(OVERLAPPED, Offset));
    P("OVERLAPPED_EVENT", offsetof(OVERLAPPED, hEvent));

    P("OVERLAPPED_ENTRY_SIZE", sizeof(OVERLAPPED_ENTRY));
    P("OE_COMPLETION_KEY", offsetof(OVERLAPPED_ENTRY, lpCompletionKey));
    P("OE_OVERLAPPED", offsetof(OVERLAPPED_ENTRY, lpOverlapped));
    P("OE_INTERNAL", offsetof(OVERLAPPED_ENTRY, Internal));
    P("OE_BYTES", offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred));

    P("IO_STATUS_BLOCK_SIZE", sizeof(IO_STATUS_BLOCK));
    P("IOSB_STATUS", offsetof(IO_STATUS_BLOCK, Status));
    P("IOSB_INFORMATION", offsetof(IO_STATUS_BLOCK, Information));

    P("AFD_POLL_HANDLE_INFO_SIZE", sizeof(app.sockets[0]));
    P("AFD_POLL_INFO_SIZE", sizeof(afd_poll_params));
    P("API_TIMEOUT", offsetof(afd_poll_params, timeout));
    P("API_NUMBER_OF_HANDLES", offsetof(afd_poll_params, count));
    P("API_EXCLUSIVE", offsetof(afd_poll_params, exclusive));
    P("API_HANDLES", offsetof(afd_poll_params, sockets));
    P("APHI_HANDLE", offsetof(afd_poll_params, sockets[0].socket) - offsetof(afd_poll_params, sockets));
    P("APHI_EVENTS", offsetof(afd_poll_params, sockets[0].flags) - offsetof(afd_poll_params, sockets));
    P("APHI_STATUS", offsetof(afd_poll_params, sockets[0].status) - offsetof(afd_poll_params, sockets));

    P("UNICODE_STRING_SIZE", sizeof(UNICODE_STRING));
    P("US_LENGTH", offsetof(UNICODE_STRING, Length));
    P("US_MAXIMUM_LENGTH", offsetof(UNICODE_STRING, MaximumLength));
    P("US_BUFFER", offsetof(UNICODE_STRING, Buffer));

    P("OBJECT_ATTRIBUTES_SIZE", sizeof(OBJECT_ATTRIBUTES));
    P("OA_LENGTH", offsetof(OBJECT_ATTRIBUTES, Length));
    P("OA_ROOT", offsetof(OBJECT_ATTRIBUTES, RootDirectory));
    P("OA_NAME", offsetof(OBJECT_ATTRIBUTES, ObjectName));
    P("OA_ATTRIBUTES", offsetof(OBJECT_ATTRIBUTES, Attributes));
    P("OA_SECURITY_DESCRIPTOR", offsetof(OBJECT_ATTRIBUTES, SecurityDescriptor));
    P("OA_SECURITY_QOS", offsetof(OBJECT_ATTRIBUTES, SecurityQualityOfService));

    P("WSABUF_SIZE", sizeof(WSABUF));
    P("WSABUF_LEN", offsetof(WSABUF, len));
    P("WSABUF_BUF", offsetof(WSABUF, buf));
    P("WSAPOLLFD_SIZE", sizeof(WSAPOLLFD));
    P("WSAPOLLFD_EVENTS", offsetof(WSAPOLLFD, events));
    P("WSAPOLLFD_REVENTS", offsetof(WSAPOLLFD, revents));
    C(FD_SETSIZE);
    P("FD_SET_COUNT", offsetof(fd_set, fd_count));
    P("FD_SET_ARRAY", offsetof(fd_set, fd_array));
    P("FD_SET_SIZE", sizeof(fd_set));
    P("TIMEVAL_SIZE", sizeof(struct timeval));
    P("LINGER_SIZE", sizeof(struct linger));
    P("WSADATA_SIZE", sizeof(WSADATA));

    C(AF_INET); C(AF_INET6);
    C(SOCK_STREAM); C(SOCK_DGRAM);
    C(IPPROTO_TCP); C(IPPROTO_UDP); C(IPPROTO_IP); C(IPPROTO_IPV6);
    C(WSA_FLAG_OVERLAPPED); C(WSA_FLAG_NO_HANDLE_INHERIT);
    C(SD_RECEIVE); C(SD_SEND); C(SD_BOTH);
    C(MSG_OOB); C(MSG_PEEK);
    P("SOCKADDR_IN_SIZE", sizeof(struct sockaddr_in));
    P("SOCKADDR_IN6_SIZE", sizeof(struct sockaddr_in6));
    P("SOCKADDR_STORAGE_SIZE", sizeof(SOCKADDR_STORAGE));

    C(SOL_SOCKET);
    C(SO_REUSEADDR); C(SO_KEEPALIVE); C(SO_BROADCAST); C(SO_LINGER); C(SO_OOBINLINE);
    C(SO_SNDBUF); C(SO_RCVBUF); C(SO_ERROR); C(SO_TYPE);
    P("SO_EXCLUSIVEADDRUSE", (int) SO_EXCLUSIVEADDRUSE);
    C(TCP_NODELAY);
#ifdef TCP_KEEPIDLE
    C(TCP_KEEPIDLE);
#endif
#ifdef TCP_KEEPCNT
    C(TCP_KEEPCNT);
#endif
#ifdef TCP_KEEPINTVL
    C(TCP_KEEPINTVL);
#endif
    C(IP_TOS);
    C(IPV6_V6ONLY); C(IPV6_TCLASS);

    C(POLLRDNORM); C(POLLRDBAND); C(POLLWRNORM); C(POLLERR); C(POLLHUP); C(POLLNVAL);

    C(WSAEINTR); C(WSAEBADF); C(WSAEACCES); C(WSAEFAULT); C(WSAEINVAL); C(WSAEMFILE);
    C(WSAEWOULDBLOCK); C(WSAEINPROGRESS); C(WSAEALREADY); C(WSAENOTSOCK); C(WSAEMSGSIZE);
    C(WSAENOPROTOOPT); C(WSAEOPNOTSUPP); C(WSAEAFNOSUPPORT); C(WSAEADDRINUSE); C(WSAEADDRNOTAVAIL);
    C(WSAENETDOWN); C(WSAENETUNREACH); C(WSAENETRESET); C(WSAECONNABORTED); C(WSAECONNRESET);
    C(WSAENOBUFS); C(WSAEISCONN); C(WSAENOTCONN); C(WSAESHUTDOWN); C(WSAETIMEDOUT);
    C(WSAECONNREFUSED); C(WSAEHOSTDOWN); C(WSAEHOSTUNREACH); C(WSANOTINITIALISED);
    N(AF_UNSPEC); N(AF_UNIX);
    P("Win64Net.SIO_UDP_CONNRESET", (unsigned int) SIO_UDP_CONNRESET);
    P("Win64Net.DWORD_SIZE", sizeof(DWORD));
    N(IP_MULTICAST_IF); N(IP_MULTICAST_TTL); N(IP_MULTICAST_LOOP); N(IP_ADD_MEMBERSHIP); N(IP_DROP_MEMBERSHIP);
    N(IP_ADD_SOURCE_MEMBERSHIP); N(IP_DROP_SOURCE_MEMBERSHIP); N(IP_BLOCK_SOURCE); N(IP_UNBLOCK_SOURCE);
    N(IP_DONTFRAGMENT);
    N(IPV6_MULTICAST_IF); N(IPV6_MULTICAST_HOPS); N(IPV6_MULTICAST_LOOP); N(IPV6_ADD_MEMBERSHIP);
    N(IPV6_DROP_MEMBERSHIP); N(IPV6_DONTFRAG);
    N(MCAST_BLOCK_SOURCE); N(MCAST_UNBLOCK_SOURCE); N(MCAST_JOIN_SOURCE_GROUP); N(MCAST_LEAVE_SOURCE_GROUP);
    P("Win64Net.IP_MREQ_SIZE", sizeof(struct ip_mreq));
    P("Win64Net.IMR_MULTIADDR", offsetof(struct ip_mreq, imr_multiaddr));
    P("Win64Net.IMR_INTERFACE", offsetof(struct ip_mreq, imr_interface));
    P("Win64Net.IP_MREQ_SOURCE_SIZE", sizeof(struct ip_mreq_source));
    P("Win64Net.IMRS_MULTIADDR", offsetof(struct ip_mreq_source, imr_multiaddr));
    P("Win64Net.IMRS_SOURCEADDR", offsetof(struct ip_mreq_source, imr_sourceaddr));
    P("Win64Net.IMRS_INTERFACE", offsetof(struct ip_mreq_source, imr_interface));
    P("Win64Net.IPV6_MREQ_SIZE", sizeof(struct ipv6_mreq));
    P("Win64Net.IPV6MR_MULTIADDR", offsetof(struct ipv6_mreq, ipv6mr_multiaddr));
    P("Win64Net.IPV6MR_INTERFACE", offsetof(struct ipv6_mreq, ipv6mr_interface));
    P("Win64Net.GROUP_SOURCE_REQ_SIZE", sizeof(struct group_source_req));
    P("Win64Net.GSR_INTERFACE", offsetof(struct group_source_req, gsr_interface));
    P("Win64Net.GSR_GROUP", offsetof(struct group_source_req, gsr_group));
    P("Win64Net.GSR_SOURCE", offsetof(struct group_source_req, gsr_source));
    P("Win64Net.SOCKADDR_UN_SIZE", sizeof(struct sockaddr_un));
    P("Win64Net.SUN_PATH", offsetof(struct sockaddr_un, sun_path));
    N(UNIX_PATH_MAX);
    printf("END\n");
    return 0;
}
