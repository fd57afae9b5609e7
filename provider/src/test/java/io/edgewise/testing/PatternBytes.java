package io.edgewise.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * A byte stream whose every byte is a function of its position ({@code pos % 251}): a writer sends it, a peer
 * reads it back and checks each byte, so a lost, repeated or reordered byte shows as a wrong byte or count.
 * Stateless.
 */
public final class PatternBytes {
    private PatternBytes() { }

    /** The byte at stream position {@code pos}. */
    public static byte at(long pos) {
        return (byte) (pos % 251);
    }

    /** The peer reads to EOF on a thread of its own, checking the pattern; completes with the count. */
    public static CompletableFuture<Long> readToEof(Socket peer) {
        return read(peer, Long.MAX_VALUE);
    }

    /** The peer reads exactly {@code len} bytes (no EOF needed), checking the pattern; completes with the count. */
    public static CompletableFuture<Long> readExactly(Socket peer, long len) {
        return read(peer, len);
    }

    private static CompletableFuture<Long> read(Socket peer, long len) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                InputStream in = peer.getInputStream();
                byte[] a = new byte[65536];
                long got = 0;
                while (got < len) {
                    int n = in.read(a, 0, (int) Math.min(a.length, len - got));
                    if (n < 0) {
                        if (len == Long.MAX_VALUE) break;
                        throw new AssertionError("EOF after " + got + " bytes");
                    }
                    for (int i = 0; i < n; i++) {
                        if (a[i] != at(got + i)) throw new AssertionError("byte " + (got + i) + " out of order");
                    }
                    got += n;
                }
                return got;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> new Thread(r).start());
    }
}
