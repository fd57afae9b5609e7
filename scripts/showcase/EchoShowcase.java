import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Iterator;

/**
 * An ordinary java.nio program with no Edgewise import: a selector-driven echo server and a client
 * on loopback. Run it with and without -Djava.nio.channels.spi.SelectorProvider=... and compare.
 */
public class EchoShowcase {
    public static void main(String[] args) throws Exception {
        int connections = 16, messages = 20_000, size = 64;
        System.out.println("provider: " + SelectorProvider.provider().getClass().getName());

        try (Selector server = Selector.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.configureBlocking(false);
            listener.register(server, SelectionKey.OP_ACCEPT);
            Thread echo = new Thread(() -> serve(server, listener), "echo-server");
            echo.setDaemon(true);
            echo.start();

            long start = System.nanoTime();
            Selector clients = Selector.open();
            ByteBuffer payload = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < connections; i++) {
                SocketChannel c = SocketChannel.open(listener.getLocalAddress());
                c.configureBlocking(false);
                c.register(clients, SelectionKey.OP_READ, new int[] {0});
                c.write(payload.clear());
            }
            long done = 0, target = (long) connections * messages;
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            while (done < target) {
                clients.select();
                Iterator<SelectionKey> it = clients.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    SocketChannel c = (SocketChannel) k.channel();
                    int[] received = (int[]) k.attachment();
                    in.clear();
                    int n = c.read(in);
                    if (n < 0) throw new IllegalStateException("server closed");
                    received[0] += n;
                    while (received[0] >= size) {      // one whole echo back: send the next
                        received[0] -= size;
                        if (++done >= target) break;
                        c.write(payload.clear());
                    }
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("echoed %,d messages of %d B over %d connections in %.2f s (%,.0f msg/s)%n",
                    target, size, connections, secs, target / secs);
            System.out.println("selector class: " + clients.getClass().getName());
            clients.close();
        }
    }

    private static void serve(Selector sel, ServerSocketChannel listener) {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (sel.isOpen()) {
                sel.select();
                Iterator<SelectionKey> it = sel.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel c = listener.accept();
                        if (c == null) continue;
                        c.configureBlocking(false);
                        c.register(sel, SelectionKey.OP_READ);
                    } else if (k.isReadable()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        buf.clear();
                        if (c.read(buf) < 0) { k.cancel(); c.close(); continue; }
                        buf.flip();
                        while (buf.hasRemaining()) c.write(buf);
                    }
                }
            }
        } catch (Exception e) {
            if (sel.isOpen()) e.printStackTrace();
        }
    }
}
