package io.edgewise.kqueue;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.posix.PosixSocketOps;
import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.bsd.KeventLayout;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.linux.LibKqueueLinux;
import io.edgewise.sys.linux.LinuxValues;
import io.edgewise.sys.bsd.NetBsd;
import io.edgewise.sys.bsd.OpenBsd;
import io.edgewise.sys.posix.PosixNet;
import io.edgewise.sys.posix.SockAddrCodec;
import io.edgewise.testing.HeaderValues;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kqueue and socket layouts of the BSD/macOS code against {@code src/test/c/layouts/bsd_layouts.c},
 * built with the host's C compiler: libkqueue's and Linux's values from their real headers; macOS,
 * FreeBSD, OpenBSD and NetBSD structs from declarations written from the cited headers (no BSD SDK can
 * be installed here; the C file names the source of each) and measured by the compiler. Values are
 * read from the Java classes, never restated here. Skipped where no C compiler is installed.
 */
@Timeout(120)
class BsdHeaderLayoutTest {
    private static Map<String, Long> header;
    private static boolean withLibkqueue;

    @BeforeAll
    static void build() throws Exception {
        String cc = HeaderValues.tool("cc", "gcc", "clang");
        Assumptions.assumeTrue(cc != null, "no C compiler (cc, gcc, clang) on PATH");
        Path out = HeaderValues.outDir("bsd-layout");
        List<String> cmd = new ArrayList<>(List.of(cc, "-Wall", "-o", out.resolve("bsd_layouts").toString()));
        Path tarball = libkqueueSource();
        if (tarball != null) {
            Path sys = Files.createDirectories(out.resolve("include/sys"));
            String h = HeaderValues.run(List.of("tar", "-xzf", tarball.toString(), "-O", "./include/sys/event.h.in"),
                    Map.of(), 60);
            Files.writeString(sys.resolve("event.h"), h.replaceAll("@LIBKQUEUE_PUBLIC_[A-Z_]*@", "1"));
            cmd.add("-DHAVE_LIBKQUEUE_H");
            cmd.add("-I" + out.resolve("include"));
            withLibkqueue = true;
        }
        cmd.add(HeaderValues.source("bsd_layouts.c").toString());
        HeaderValues.run(cmd, Map.of(), 60);
        header = HeaderValues.parse(HeaderValues.run(List.of(out.resolve("bsd_layouts").toString()), Map.of(), 30));
    }

    /** libkqueue's source tarball (for its sys/event.h): next to the library in use, or the project's copy. */
    private static Path libkqueueSource() {
        List<Path> dirs = new ArrayList<>();
        String lib = System.getProperty(KqueueConstants.LIBRARY_PROPERTY, System.getenv("KQUEUE_LIBRARY"));
        if (lib != null && !lib.isEmpty()) dirs.add(Paths.get(lib).toAbsolutePath().getParent());
        dirs.add(Paths.get("..", "..", "shared", "testing", "libkqueue").toAbsolutePath()); // from provider/
        for (Path d : dirs) {
            if (d == null || !Files.isDirectory(d)) continue;
            try (var s = Files.list(d)) {
                Path t = s.filter(p -> p.getFileName().toString().matches("libkqueue-.*-src\\.tar\\.gz"))
                        .findFirst().orElse(null);
                if (t != null) return t;
            } catch (java.io.IOException e) {
                // look further
            }
        }
        return null;
    }

    private static Map<String, Long> kevent(String p, KqueueConstants k) {
        KeventLayout l = k.layout;
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(p + ".kevent.size", (long) l.size);
        m.put(p + ".kevent.filterOffset", (long) l.filterOffset);
        m.put(p + ".kevent.flagsOffset", (long) l.flagsOffset);
        m.put(p + ".kevent.fflagsOffset", (long) l.fflagsOffset);
        m.put(p + ".kevent.dataOffset", (long) l.dataOffset);
        m.put(p + ".kevent.udataOffset", (long) l.udataOffset);
        m.put(p + ".kevent.wide", l.wide ? 1L : 0L);
        return m;
    }

    private static void check(Map<String, Long> java) {
        List<String> bad = HeaderValues.compare(java, header, Map.of());
        assertTrue(bad.isEmpty(), "differs from the headers:\n  " + String.join("\n  ", bad));
    }

    @Test
    void keventLayoutsAndFiltersPerPlatform() {
        Map<String, Long> java = new LinkedHashMap<>();
        java.putAll(kevent("macos", Darwin.KQUEUE));
        java.putAll(kevent("freebsd", FreeBsd.KQUEUE));
        java.putAll(kevent("openbsd", OpenBsd.KQUEUE));
        java.putAll(kevent("netbsd", NetBsd.KQUEUE));
        java.put("macos.evfiltUser", (long) Darwin.KQUEUE.evfiltUser);
        java.put("freebsd.evfiltUser", (long) FreeBsd.KQUEUE.evfiltUser);
        java.put("netbsd.evfiltRead", (long) NetBsd.KQUEUE.evfiltRead);
        java.put("netbsd.evfiltWrite", (long) NetBsd.KQUEUE.evfiltWrite);
        java.put("netbsd.evfiltUser", (long) NetBsd.KQUEUE.evfiltUser);
        check(java);
    }

    @Test
    void libkqueueFromItsOwnHeader() throws Exception {
        Assumptions.assumeTrue(withLibkqueue, "libkqueue's source (for its sys/event.h) not found next to the "
                + "library or at ../shared/testing/libkqueue");
        KqueueConstants k = LibKqueueLinux.KQUEUE;
        Map<String, Long> java = new LinkedHashMap<>(kevent("libkqueue", k));
        for (String f : new String[] {"evfiltRead", "evfiltWrite", "evfiltUser", "eintr", "eagain", "enoent", "ebadf",
                "einval", "fGetfl", "fSetfl", "fSetfd", "fdCloexec", "oNonblock"}) {
            java.put("libkqueue." + f, (long) KqueueConstants.class.getField(f).getInt(k));
        }
        java.putAll(HeaderValues.constants(KqueueConstants.class, "")); // EV_*, NOTE_TRIGGER
        java.remove("NO_FILTER"); // Edgewise's own marker, no header value
        check(java);
    }

    @Test
    void linuxValuesOfThePosixCodeFromLinuxHeaders() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        for (Field f : PosixNet.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            if (f.getType() == int.class || f.getType() == long.class) {
                java.put("linux." + f.getName(), ((Number) f.get(LinuxValues.NET)).longValue());
            }
        }
        assertTrue(java.size() > 40, "reads PosixNet's fields: " + java.size());
        check(java);
    }

    @Test
    void iovecPollfdAndMsghdr() throws Exception {
        PosixSocketOps bsd = new PosixSocketOps(Darwin.NET); // pure Java for these calls
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("bsd.iovec.size", (long) bsd.iovecSize());
        java.put("bsd.pollfd.size", (long) privateInt(PosixSocketOps.class, "POLLFD_SIZE"));
        java.put("bsd.pollfd.events", (long) privateInt(PosixSocketOps.class, "POLLFD_EVENTS"));
        java.put("bsd.pollfd.revents", (long) privateInt(PosixSocketOps.class, "POLLFD_REVENTS"));
        Class<?> linux = Class.forName("io.edgewise.sys.linux.LinuxSocketOps");
        java.put("linux.msghdr.iov", (long) privateInt(linux, "MSG_IOV"));
        java.put("linux.msghdr.iovlen", (long) privateInt(linux, "MSG_IOVLEN"));
        check(java);
        ByteBuffer iov = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        bsd.putIovec(iov, 0, 0x1122334455L, 77L);
        assertEquals(0x1122334455L, iov.getLong((int) (long) header.get("bsd.iovec.base")));
        assertEquals(77L, iov.getLong((int) (long) header.get("bsd.iovec.len")));
    }

    /** group_req (macOS packed to 4), sockaddr_un and the peer-credential structs of each BSD. */
    @Test
    void datagramAndUnixLayoutsOfTheBsds() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        for (String p : new String[] {"macos", "freebsd"}) {
            PosixNet n = p.equals("macos") ? Darwin.NET : FreeBsd.NET;
            java.put(p + ".grGroup", (long) n.grGroup);
            java.put(p + ".grSize", (long) n.grSize);
            java.put(p + ".gsrSource", (long) n.gsrSource);
            java.put(p + ".gsrSize", (long) n.gsrSize);
        }
        java.put("bsd.sunPathOffset", (long) Darwin.NET.sunPathOffset);
        java.put("bsd.sunPathMax", (long) Darwin.NET.sunPathMax);
        for (PosixNet n : new PosixNet[] {Darwin.NET, FreeBsd.NET, OpenBsd.NET, NetBsd.NET}) {
            assertEquals(Darwin.NET.sunPathMax, n.sunPathMax, n.platform);
            java.put(n.platform + ".peerCredLen", (long) n.peerCredLen);
            java.put(n.platform + ".peerUidOff", (long) n.peerUidOff);
            java.put(n.platform + ".peerGidOff", (long) n.peerGidOff);
            if (n.peerPidOff >= 0) java.put(n.platform + ".peerPidOff", (long) n.peerPidOff);
        }
        assertEquals(-1, Darwin.NET.peerPidOff, "macOS's xucred carries no pid");
        check(java);
    }

    private static int privateInt(Class<?> c, String name) throws ReflectiveOperationException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.getInt(null);
    }

    @Test
    void sockaddrsAtTheHeadersOffsets() throws Exception {
        for (String p : new String[] {"bsd", "linux"}) {
            PosixNet n = p.equals("bsd") ? Darwin.NET : LinuxValues.NET;
            assertEquals(header.get(p + ".sockaddr_in.size"), (long) SockAddrCodec.SOCKADDR_IN_SIZE, p);
            assertEquals(header.get(p + ".sockaddr_in6.size"), (long) SockAddrCodec.SOCKADDR_IN6_SIZE, p);
            ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
            int len = n.sockaddr.encode(b, 0, false, new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 0x1234));
            assertEquals(header.get(p + ".sockaddr_in.size"), (long) len);
            int port = (int) (long) header.get(p + ".sockaddr_in.port"), addr = (int) (long) header.get(p + ".sockaddr_in.addr");
            assertEquals(0x12, b.get(port));
            assertEquals(0x34, b.get(port + 1));
            assertEquals(1, b.get(addr));
            assertEquals(4, b.get(addr + 3));
            if (p.equals("bsd")) {
                assertEquals(16, b.get((int) (long) header.get("bsd.sockaddr_in.len")));
                assertEquals(n.afInet, b.get((int) (long) header.get("bsd.sockaddr_in.family")));
            } else {
                assertEquals(n.afInet, b.getShort((int) (long) header.get("linux.sockaddr_in.family")));
            }
            InetAddress v6 = java.net.Inet6Address.getByAddress(null,
                    InetAddress.getByName("fe80::1").getAddress(), 7);
            b.clear();
            n.sockaddr.encode(b, 0, true, new InetSocketAddress(v6, 80));
            int a6 = (int) (long) header.get(p + ".sockaddr_in6.addr");
            assertEquals((byte) 0xfe, b.get(a6));
            assertEquals(1, b.get(a6 + 15));
            assertEquals(7, b.getInt((int) (long) header.get(p + ".sockaddr_in6.scope")));
            assertEquals(80, b.get((int) (long) header.get(p + ".sockaddr_in6.port") + 1));
        }
        assertEquals(header.get("linux.sockaddr_storage.size"), (long) SockAddrCodec.SOCKADDR_STORAGE_SIZE);
    }
}
