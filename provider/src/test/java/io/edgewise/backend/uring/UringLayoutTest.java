package io.edgewise.backend.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.linux.UringLayout;
import io.edgewise.sys.posix.LibC;
import io.edgewise.testing.HeaderValues;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UringLayout} against the kernel's {@code <linux/io_uring.h>}, through
 * {@code src/test/c/layouts/uring_layout.c} built with the host's C compiler (values read from the Java
 * class, never restated here); and the three calls the io_uring binding added to {@code LibC}.
 */
@Timeout(120)
class UringLayoutTest {
    @Test
    void everyConstantAndOffsetMatchesTheKernelHeader() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        String cc = HeaderValues.tool("cc", "gcc", "clang");
        Assumptions.assumeTrue(cc != null, "no C compiler (cc, gcc, clang) on PATH");
        Path out = HeaderValues.outDir("uring-layout");
        String exe = out.resolve("uring_layout").toString();
        try {
            HeaderValues.run(List.of(cc, "-Wall", "-o", exe, HeaderValues.source("uring_layout.c").toString()), Map.of(), 60);
        } catch (java.io.IOException e) {
            Assumptions.assumeTrue(false, "the kernel headers (linux/io_uring.h) do not compile here: " + e.getMessage());
        }
        Map<String, Long> header = HeaderValues.parse(HeaderValues.run(List.of(exe), Map.of(), 30));
        Map<String, Long> java = new java.util.TreeMap<>(HeaderValues.constants(UringLayout.class, ""));
        assertTrue(java.size() > 60, "the layout's fields were read: " + java.size());
        for (String since612 : List.of("IOU_PBUF_RING_INC", "IORING_CQE_F_BUF_MORE")) {
            if (!header.containsKey(since612)) java.remove(since612); // headers older than 6.12: not there to compare
        }
        List<String> bad = HeaderValues.compare(java, header, Map.of());
        assertEquals(List.of(), bad);
    }

    @Test
    void mmapMunmapAndViewShareTheMemory() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux values");
        int len = 4096;
        long a = LibC.mmap(0, len, UringLayout.PROT_READ | UringLayout.PROT_WRITE, 0x02 | 0x20 /* PRIVATE|ANONYMOUS */, -1, 0);
        assertTrue(a > 0, "mmap: " + (a < 0 ? LibC.strerror((int) -a) : "0"));
        ByteBuffer one = LibC.view(a, len), two = LibC.view(a, len);
        one.putLong(8, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, two.getLong(8), "two views of one mapping");
        assertEquals(0, LibC.munmap(a, len));
    }

    @Test
    void syscallReturnsMinusErrnoForABadCall() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux values");
        // io_uring_enter on descriptor -1: EBADF (or ENOSYS/EPERM where io_uring is off): never a success
        long r = LibC.syscall(UringLayout.NR_IO_URING_ENTER, -1, 0, 0, 0, 0, 0);
        assertTrue(r < 0, "a failure: " + r);
        int e = (int) -r;
        assertTrue(e == 9 || e == UringLayout.ENOSYS || e == 1, "errno " + e);
    }
}
