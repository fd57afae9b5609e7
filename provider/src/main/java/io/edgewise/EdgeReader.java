package io.edgewise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;

/**
 * The reader's side of {@link Trigger#EDGE}: read a selected key until the channel says "no more"
 * ({@code read} returns 0), but never more than a fairness budget per turn, so one busy connection
 * cannot starve the others. A key that spent its budget still has data the kernel will not announce
 * again; the reader keeps it in a backlog and serves it on the next turn — the edge is not lost.
 *
 * <pre>{@code
 * EdgeReader reader = new EdgeReader(64 * 1024, (key, data) -> handle(key, data));
 * while (running) {
 *     if (reader.hasBacklog()) selector.selectNow(); else selector.select();  // no sleep while a backlog waits
 *     for (SelectionKey k : selector.selectedKeys()) if (k.isReadable()) reader.read(k);
 *     selector.selectedKeys().clear();
 *     reader.serveBacklog();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one instance per selecting thread.
 */
public final class EdgeReader {
    /** What one turn of reading a key ended with. */
    public enum Result {
        /** {@code read} returned 0: the channel is drained and the next edge will announce new data. */
        DRAINED,
        /** The budget was spent with data possibly left; the key is in the backlog. */
        BUDGET_SPENT,
        /** End of stream; the key is not kept. */
        END_OF_STREAM
    }

    /** Receives what was read; {@code data} is flipped and valid only during the call. */
    @FunctionalInterface
    public interface Sink {
        void accept(SelectionKey key, ByteBuffer data) throws IOException;
    }

    private final int budget;
    private final Sink sink;
    private final ByteBuffer buffer;
    private final ArrayDeque<SelectionKey> backlog = new ArrayDeque<>();

    /**
     * @param budgetBytes the most bytes read from one key per turn (at least 1)
     * @param sink where the data goes
     */
    public EdgeReader(int budgetBytes, Sink sink) {
        if (budgetBytes < 1) throw new IllegalArgumentException("budget must be positive");
        this.budget = budgetBytes;
        this.sink = java.util.Objects.requireNonNull(sink);
        this.buffer = ByteBuffer.allocateDirect(Math.min(budgetBytes, 64 * 1024));
    }

    /** Reads one turn from a selected key's channel (a {@link ReadableByteChannel}). */
    public Result read(SelectionKey key) throws IOException {
        ReadableByteChannel ch = (ReadableByteChannel) key.channel();
        int total = 0;
        while (total < budget) {
            buffer.clear();
            buffer.limit(Math.min(buffer.capacity(), budget - total));
            int n = ch.read(buffer);
            if (n < 0) {
                return Result.END_OF_STREAM;
            }
            if (n == 0) {
                return Result.DRAINED;
            }
            total += n;
            buffer.flip();
            sink.accept(key, buffer);
        }
        backlog.addLast(key);
        return Result.BUDGET_SPENT;
    }

    /** Whether keys wait for another turn; select without blocking while this is true. */
    public boolean hasBacklog() {
        return !backlog.isEmpty();
    }

    /** Gives every key in the backlog one more turn (keys still over budget go back in). */
    public void serveBacklog() throws IOException {
        for (int i = backlog.size(); i > 0; i--) {
            SelectionKey k = backlog.pollFirst();
            if (k.isValid() && k.channel().isOpen()) {
                read(k);
            }
        }
    }
}
