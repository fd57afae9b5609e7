package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * A key that asks only for OP_WRITE is not woken by input, on the JDK's provider and on Edgewise
 * (found by mutation testing, scripts/mutation.sh channels: a translation of the interest set that
 * also watched for input made a select with a full send buffer end early, with nothing selected,
 * whenever data was waiting).
 */
@Timeout(60)
class WriteOnlyInterestTest {

    @ProviderTest
    void inputDoesNotEndASelectForWriting(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc); Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                chunk.clear();
                if (c.client.write(chunk) == 0) break;
            }
            assertEquals(0, c.client.write(ByteBuffer.allocate(1)), "the send buffer is full");
            SelectionKey k = c.client.register(sel, SelectionKey.OP_WRITE);
            Pair.send(c.peer, 1, (byte) 9);
            // the byte is there: a key watching for input would see it at once
            SelectionKey probe = k;
            probe.interestOps(SelectionKey.OP_READ);
            assertTrue(Pair.awaitSelected(sel, probe, SelectionKey.OP_READ));
            sel.selectedKeys().clear();
            k.interestOps(SelectionKey.OP_WRITE);
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(200));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200),
                    "select(200) returned early: the key asking only for OP_WRITE was watched for input");
        }
    }
}
