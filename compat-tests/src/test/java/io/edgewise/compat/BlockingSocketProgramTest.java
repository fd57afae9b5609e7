package io.edgewise.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A classic thread-per-connection blocking program written against {@code java.net.Socket} and
 * {@code ServerSocket} streams, except that its sockets are the adaptors of channels
 * ({@code ServerSocketChannel.socket()}, {@code SocketChannel.socket()}), so every byte goes through
 * the provider under test.
 *
 * <p>Protocol, one line per command: {@code ECHO text} answers {@code text}; {@code UPPER text}
 * answers it upper-cased; {@code BLOB n} answers n raw bytes (byte i is {@code i % 251}); {@code BYE}
 * shuts the server's output down and closes.
 *
 * <p>Concurrency: {@link #acceptedChannels} and {@link #serverErrors} are concurrent queues filled by
 * server threads; {@link #acceptorExit} is a latch the accept thread counts down when it ends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingSocketProgramTest {
    private static final int CLIENTS = 16;
    private static final int LINES_PER_CLIENT = 200;
    private static final int BLOB_SIZE = 1 << 20;

    private final Queue<SocketChannel> acceptedChannels = new ConcurrentLinkedQueue<>();
    private final Queue<Throwable> serverErrors = new ConcurrentLinkedQueue<>();
    private final CountDownLatch acceptorExit = new CountDownLatch(1);
    private ServerSocketChannel serverChannel;
    private ServerSocket serverSocket;
    private ExecutorService serverThreads;

    @BeforeEach
    void startServer() throws IOException {
        serverChannel = ServerSocketChannel.open();
        serverSocket = serverChannel.socket();
        assertFalse(serverSocket.isBound());
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        assertTrue(serverSocket.isBound());
        serverThreads = Executors.newCachedThreadPool();
        serverThreads.execute(this::acceptLoop);
    }

    @AfterEach
    void stopServer() throws InterruptedException, IOException {
        serverSocket.close();
        serverThreads.shutdown();
        assertTrue(serverThreads.awaitTermination(10, TimeUnit.SECONDS));
        for (SocketChannel c : acceptedChannels) {
            c.close();
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket socket;
                try {
                    socket = serverSocket.accept();
                } catch (IOException e) {
                    // closing the server socket must end a blocked accept
                    if (!serverSocket.isClosed()) {
                        serverErrors.add(e);
                    }
                    return;
                }
                acceptedChannels.add(socket.getChannel());
                serverThreads.execute(() -> serve(socket));
            }
        } finally {
            acceptorExit.countDown();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream raw = socket.getOutputStream();
            PrintWriter out = new PrintWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8), false);
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ECHO ")) {
                    out.print(line.substring(5) + "\n");
                    out.flush();
                } else if (line.startsWith("UPPER ")) {
                    out.print(line.substring(6).toUpperCase(Locale.ROOT) + "\n");
                    out.flush();
                } else if (line.startsWith("BLOB ")) {
                    out.flush();
                    raw.write(blob(Integer.parseInt(line.substring(5))));
                    raw.flush();
                } else if (line.equals("BYE")) {
                    out.flush();
                    socket.shutdownOutput();
                    assertTrue(socket.isOutputShutdown());
                    // the client closes after seeing EOF; drain until then
                    assertEquals(-1, socket.getInputStream().read());
                    return;
                } else {
                    throw new IOException("unknown command " + line);
                }
            }
        } catch (Throwable t) {
            serverErrors.add(t);
        }
    }

    private static byte[] blob(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    private InetSocketAddress serverAddress() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /** One client session through the adaptor streams; returns the channel it used. */
    private SocketChannel clientSession(int id) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try (Socket socket = channel.socket()) {
            assertNull(socket.getLocalSocketAddress());
            socket.connect(serverAddress(), 5000);
            assertTrue(socket.isConnected());
            socket.setTcpNoDelay(true);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), false);
            for (int i = 0; i < LINES_PER_CLIENT; i++) {
                String text = "client " + id + " line " + i + " \u00e9\u00e8";
                out.print((i % 2 == 0 ? "ECHO " : "UPPER ") + text + "\n");
                out.flush();
                String expected = i % 2 == 0 ? text : text.toUpperCase(Locale.ROOT);
                assertEquals(expected, in.readLine());
            }
            out.print("BLOB " + BLOB_SIZE + "\n");
            out.flush();
            byte[] received = new byte[BLOB_SIZE];
            // the reader may have buffered nothing past the last line: the blob follows a line reply
            new DataInputStream(socket.getInputStream()).readFully(received);
            assertArrayEquals(blob(BLOB_SIZE), received);
            out.print("BYE\n");
            out.flush();
            assertEquals(-1, socket.getInputStream().read(), "server shut its output down");
        }
        assertFalse(channel.isOpen(), "closing the adaptor closes the channel");
        return channel;
    }

    @Test
    void threadPerConnectionProgramThroughAdaptors() throws Exception {
        Reach.assertServedByExpectedProvider("server channel", serverChannel);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<SocketChannel>> sessions = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                sessions.add(clients.submit(() -> clientSession(id)));
            }
            for (Future<SocketChannel> session : sessions) {
                Reach.assertServedByExpectedProvider("client channel", session.get(45, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(CLIENTS, acceptedChannels.size());
        for (SocketChannel accepted : acceptedChannels) {
            assertNotNull(accepted, "accepted socket has no channel");
            Reach.assertServedByExpectedProvider("accepted channel", accepted);
        }
        assertTrue(serverErrors.isEmpty(), () -> "server errors: " + serverErrors);
    }

    @Test
    void readTimeoutLeavesTheConnectionUsable() throws Exception {
        try (SocketChannel channel = SocketChannel.open(serverAddress())) {
            Reach.assertServedByExpectedProvider("client channel", channel);
            Socket socket = channel.socket();
            socket.setSoTimeout(200);
            InputStream in = socket.getInputStream();
            assertThrows(SocketTimeoutException.class, in::read);
            assertTrue(channel.isOpen());
            OutputStream out = socket.getOutputStream();
            out.write("ECHO after timeout\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertEquals("after timeout", reader.readLine());
        }
        assertTrue(serverErrors.isEmpty(), () -> "server errors: " + serverErrors);
    }

    @Test
    void closingTheServerSocketEndsABlockedAccept() throws Exception {
        assertFalse(acceptorExit.await(100, TimeUnit.MILLISECONDS), "accept loop ended on its own");
        serverSocket.close();
        assertTrue(acceptorExit.await(10, TimeUnit.SECONDS), "accept() still blocked after close");
        assertFalse(serverChannel.isOpen());
        assertTrue(serverErrors.isEmpty(), () -> "server errors: " + serverErrors);
    }
}
