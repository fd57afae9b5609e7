package io.edgewise.kqueue;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelector;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.Backends;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Selector-level consequences of the kqueue backend's event merging, on whichever backend runs
 * ({@code Backends.name()}; kqueue under {@code scripts/kqueue-suite.sh}): a key whose channel is both
 * readable and writable is one update — counted once, one action call — although kqueue reports READ
 * and WRITE as two events; and a oneshot key with both interests is disarmed by either firing.
 */
@Timeout(20)
class KqueueSelectorTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();
    private ServerSocketChannel server;
    private SocketChannel client, accepted;
    private EdgewiseSelector sel;

    @BeforeEach
    void open() throws IOException {
        server = P.openServerSocketChannel();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = P.openSocketChannel();
        client.connect(server.getLocalAddress());
        accepted = server.accept();
        accepted.configureBlocking(false);
        sel = (EdgewiseSelector) P.openSelector();
    }

    @AfterEach
    void close() throws IOException {
        sel.close();
        accepted.close();
        client.close();
        server.close();
    }

    /** Sends bytes and registers the accepted side once they have arrived (READ selected, then cleared). */
    private EdgewiseSelectionKey sendAndRegister(int n) throws IOException {
        client.write(ByteBuffer.allocate(n));
        EdgewiseSelectionKey k = (EdgewiseSelectionKey) accepted.register(sel, OP_READ);
        assertEquals(1, sel.select(5000), "data arrived");
        sel.selectedKeys().clear();
        return k;
    }

    @Test
    void readableAndWritableKeyIsOneUpdate() throws IOException {
        SelectionKey k = sendAndRegister(10);
        k.interestOps(OP_READ | OP_WRITE);
        assertEquals(1, sel.select(5000), "one key updated (backend " + Backends.name() + ")");
        assertEquals(OP_READ | OP_WRITE, k.readyOps());
        sel.selectedKeys().clear();
        List<Integer> calls = new ArrayList<>();
        assertEquals(1, sel.select(key -> calls.add(key.readyOps()), 5000));
        assertEquals(List.of(OP_READ | OP_WRITE), calls, "one action call with both operations");
    }

    @Test
    void oneshotKeyWithBothInterestsIsDisarmedByOneFiring() throws IOException {
        EdgewiseSelectionKey k = sendAndRegister(10);
        k.oneshot(true);
        k.interestOps(OP_READ | OP_WRITE);
        assertEquals(1, sel.select(5000));
        assertNotEquals(0, k.readyOps());
        sel.selectedKeys().clear();
        client.write(ByteBuffer.allocate(10)); // new readiness while disarmed
        assertEquals(0, sel.select(300), "disarmed: neither READ nor WRITE reports");
        assertEquals(0, sel.selectNow());
        k.interestOps(OP_READ | OP_WRITE); // re-arm
        assertEquals(1, sel.select(5000));
        assertEquals(OP_READ | OP_WRITE, k.readyOps());
    }
}
