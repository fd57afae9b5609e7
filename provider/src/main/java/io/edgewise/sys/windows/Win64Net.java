package io.edgewise.sys.windows;

/**
 * Win64 constants and struct layouts of the datagram, multicast and AF_UNIX bindings
 * ({@link WindowsDatagramOps}, {@link WindowsUnixOps}); {@link Win64} has the stream ones. Pure data,
 * checked against the SDK headers by {@code Win64HeaderLayoutTest} (printed by
 * {@code src/test/c/layouts/win64_headers.c} under the names {@code Win64Net.*}).
 *
 * <p>Windows' numbers and shapes, where they differ from Linux's: the IPv4 multicast options are 9-18
 * (Linux 32-40); {@code ip_mreq_source} is {group, source, interface} (Linux: {group, interface,
 * source}); the RFC 3678 calls are 41-46 with {@code group_source_req} naturally aligned (a 4-byte
 * {@code ULONG} interface, the group's {@code SOCKADDR_STORAGE} at 8); TTL, loop and interface index
 * options are {@code DWORD}s (4 bytes, never a {@code u_char}); {@code sockaddr_un} has no
 * {@code sun_len} and a 108-byte {@code sun_path} (afunix.h).
 */
public final class Win64Net {
    private Win64Net() { }

    public static final int AF_UNSPEC = 0, AF_UNIX = 1;

    /** ws2def.h/mswsock.h: {@code _WSAIOW(IOC_VENDOR, 12)}. TRUE: ICMP port unreachable fails a later receive. */
    public static final int SIO_UDP_CONNRESET = 0x9800000C;

    /** The width of the {@code DWORD} options (multicast TTL, loop, IPv6 interface index; SIO_UDP_CONNRESET's BOOL). */
    public static final int DWORD_SIZE = 4;

    // ---- IPPROTO_IP options (ws2ipdef.h)
    public static final int IP_MULTICAST_IF = 9, IP_MULTICAST_TTL = 10, IP_MULTICAST_LOOP = 11,
            IP_ADD_MEMBERSHIP = 12, IP_DROP_MEMBERSHIP = 13, IP_ADD_SOURCE_MEMBERSHIP = 15,
            IP_DROP_SOURCE_MEMBERSHIP = 16, IP_BLOCK_SOURCE = 17, IP_UNBLOCK_SOURCE = 18, IP_DONTFRAGMENT = 14;

    // ---- IPPROTO_IPV6 options (ws2ipdef.h)
    public static final int IPV6_MULTICAST_IF = 9, IPV6_MULTICAST_HOPS = 10, IPV6_MULTICAST_LOOP = 11,
            IPV6_ADD_MEMBERSHIP = 12, IPV6_DROP_MEMBERSHIP = 13, IPV6_DONTFRAG = 14;

    // ---- RFC 3678 (ws2ipdef.h), used at the IPv6 level for source filters, as the JDK does
    public static final int MCAST_BLOCK_SOURCE = 43, MCAST_UNBLOCK_SOURCE = 44, MCAST_JOIN_SOURCE_GROUP = 45,
            MCAST_LEAVE_SOURCE_GROUP = 46;

    // ---- struct ip_mreq: IN_ADDR imr_multiaddr, IN_ADDR imr_interface
    public static final int IP_MREQ_SIZE = 8, IMR_MULTIADDR = 0, IMR_INTERFACE = 4;

    // ---- struct ip_mreq_source: IN_ADDR imr_multiaddr, IN_ADDR imr_sourceaddr, IN_ADDR imr_interface
    public static final int IP_MREQ_SOURCE_SIZE = 12, IMRS_MULTIADDR = 0, IMRS_SOURCEADDR = 4, IMRS_INTERFACE = 8;

    // ---- struct ipv6_mreq: IN6_ADDR ipv6mr_multiaddr, ULONG ipv6mr_interface
    public static final int IPV6_MREQ_SIZE = 20, IPV6MR_MULTIADDR = 0, IPV6MR_INTERFACE = 16;

    // ---- struct group_source_req: ULONG gsr_interface, SOCKADDR_STORAGE gsr_group, gsr_source
    public static final int GROUP_SOURCE_REQ_SIZE = 264, GSR_INTERFACE = 0, GSR_GROUP = 8, GSR_SOURCE = 136;

    // ---- struct sockaddr_un (afunix.h): ADDRESS_FAMILY sun_family, char sun_path[UNIX_PATH_MAX]
    public static final int SOCKADDR_UN_SIZE = 110, SUN_PATH = 2, UNIX_PATH_MAX = 108;
}
