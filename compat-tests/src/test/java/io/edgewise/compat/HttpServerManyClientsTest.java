package io.edgewise.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HttpServer} (unchanged JDK program) serving a few hundred clients that are all connected
 * at the same time. The clients are non-blocking {@link SocketChannel}s driven by one selector on
 * the test thread, so the test exercises the provider on both sides.
 *
 * <p>Concurrency: {@link #served} is an atomic counter bumped by server worker threads; the client
 * state lives only on the test thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerManyClientsTest {
    private static final int CLIENTS = 300;
    private static final int BODY_SIZE = 4096;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(40);

    private final AtomicInteger served = new AtomicInteger();
    private HttpServer server;
    private ExecutorService serverPool;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        serverPool = Executors.newFixedThreadPool(8);
        server.setExecutor(serverPool);
        server.createContext("/echo", this::echo);
        server.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.stop(0);
        serverPool.shutdownNow();
        assertTrue(serverPool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void echo(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        served.incrementAndGet(); // before the response: the client may see EOF right after it
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** One client connection: its request, what it has written, and what it has read. */
    private static final class Client {
        final int id;
        final ByteBuffer request;
        final byte[] body;
        final ByteArrayOutputStream response = new ByteArrayOutputStream();

        Client(int id, int port) {
            this.id = id;
            this.body = new byte[BODY_SIZE];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) ('a' + (i + id) % 26);
            }
            String head = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
            request = ByteBuffer.allocate(headBytes.length + body.length);
            request.put(headBytes).put(body).flip();
        }
    }

    @Test
    void servesAFewHundredSimultaneousClients() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.getAddress().getPort());
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        ByteBuffer readBuffer = ByteBuffer.allocateDirect(16 * 1024);

        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            Reach.assertServedByExpectedProvider("client selector", selector);
            // Phase 1: open and connect every client; nobody sends until all are connected.
            int connected = 0;
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel channel = SocketChannel.open();
                channels.add(channel);
                Reach.assertServedByExpectedProvider("client channel", channel);
                channel.configureBlocking(false);
                Client client = new Client(i, address.getPort());
                if (channel.connect(address)) {
                    connected++;
                    channel.register(selector, 0, client);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, client);
                }
            }
            while (connected < CLIENTS) {
                checkDeadline(deadline, "connected " + connected + "/" + CLIENTS);
                selector.select(1000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isConnectable() && ((SocketChannel) key.channel()).finishConnect()) {
                        key.interestOps(0);
                        connected++;
                    }
                }
            }

            // All CLIENTS connections are open at once; the server must accept and serve them all.
            Reach.assertServedByExpectedProvider("HttpServer selector",
                    Reach.field(Reach.field(server, "server"), "selector"));
            Reach.assertServedByExpectedProvider("HttpServer channel",
                    Reach.field(Reach.field(server, "server"), "schan"));

            // Phase 2: every client writes its request, then reads the response until EOF.
            for (SelectionKey key : selector.keys()) {
                key.interestOps(SelectionKey.OP_WRITE);
            }
            int finished = 0;
            while (finished < CLIENTS) {
                checkDeadline(deadline, "finished " + finished + "/" + CLIENTS);
                selector.select(1000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Client client = (Client) key.attachment();
                    SocketChannel channel = (SocketChannel) key.channel();
                    if (key.isWritable()) {
                        channel.write(client.request);
                        if (!client.request.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        readBuffer.clear();
                        int n = channel.read(readBuffer);
                        if (n > 0) {
                            readBuffer.flip();
                            byte[] chunk = new byte[n];
                            readBuffer.get(chunk);
                            client.response.write(chunk);
                        } else if (n < 0) {
                            key.cancel();
                            channel.close();
                            checkResponse(client);
                            finished++;
                        }
                    }
                }
            }
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
        assertEquals(CLIENTS, served.get());
    }

    private static void checkDeadline(long deadline, String progress) {
        if (System.nanoTime() - deadline > 0) {
            fail("deadline passed: " + progress);
        }
    }

    private static void checkResponse(Client client) {
        byte[] all = client.response.toByteArray();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        assertTrue(headerEnd > 0, () -> "client " + client.id + ": no header end in " + text);
        assertTrue(text.startsWith("HTTP/1.1 200 "), () -> "client " + client.id + ": " + text.lines().findFirst());
        String body = text.substring(headerEnd + 4);
        assertEquals(new String(client.body, StandardCharsets.ISO_8859_1), body, "client " + client.id + " body");
    }
}
