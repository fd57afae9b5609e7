package io.edgewise.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HttpClient} (HTTP/1.1, one connection per in-flight request) sending many concurrent
 * requests to a loopback {@link HttpServer}; both are unchanged JDK programs whose selectors and
 * channels must come from the provider under test.
 *
 * <p>Concurrency: {@link #clientPorts} is a concurrent set filled by server worker threads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpClientConcurrentRequestsTest {
    private static final int GETS = 200;
    private static final int POSTS = 40;
    private static final int POST_SIZE = 256 * 1024;

    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private HttpServer server;
    private ExecutorService serverPool;
    private ExecutorService clientPool;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        serverPool = Executors.newFixedThreadPool(8);
        server.setExecutor(serverPool);
        server.createContext("/", this::handle);
        server.start();
        clientPool = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.stop(0);
        serverPool.shutdownNow();
        clientPool.shutdownNow();
        assertTrue(serverPool.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(clientPool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void handle(HttpExchange exchange) throws IOException {
        clientPorts.add(exchange.getRemoteAddress().getPort());
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] received = in.readAllBytes();
            if ("POST".equals(exchange.getRequestMethod())) {
                body = checksumLine(received).getBytes(StandardCharsets.US_ASCII);
            } else {
                body = ("hello " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.US_ASCII);
            }
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String checksumLine(byte[] data) {
        long sum = 0;
        for (int i = 0; i < data.length; i++) {
            sum = sum * 31 + (data[i] & 0xff);
        }
        return data.length + ":" + sum;
    }

    private static byte[] postBody(int id) {
        byte[] data = new byte[POST_SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + id);
        }
        return data;
    }

    @Test
    void manyConcurrentHttp11RequestsOverTheProvider() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(clientPool)
                .build();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");

        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < GETS; i++) {
            String expected = "hello id=" + i;
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/get?id=" + i))
                    .timeout(Duration.ofSeconds(30)).GET().build();
            all.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                assertEquals(200, r.statusCode());
                assertEquals(expected, r.body());
            }));
        }
        for (int i = 0; i < POSTS; i++) {
            byte[] data = postBody(i);
            String expected = checksumLine(data);
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/post?id=" + i))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build();
            all.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                assertEquals(200, r.statusCode());
                assertEquals(expected, r.body());
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(45, TimeUnit.SECONDS);

        // More than one connection was in use at once (HTTP/1.1 opens one per in-flight request).
        assertTrue(clientPorts.size() > 1, "requests all used one connection: " + clientPorts);

        // The client's selector manager and the server's listening channel and selector were opened
        // by the provider under test. Our selector refuses foreign channels, so every connection
        // registered with these selectors is ours as well.
        Object clientImpl = Reach.field(client, "impl");
        Object selectorManager = Reach.field(clientImpl, "selmgr");
        Reach.assertServedByExpectedProvider("HttpClient selector", Reach.field(selectorManager, "selector"));
        Object serverImpl = Reach.field(server, "server");
        Reach.assertServedByExpectedProvider("HttpServer selector", Reach.field(serverImpl, "selector"));
        Reach.assertServedByExpectedProvider("HttpServer channel", Reach.field(serverImpl, "schan"));
    }
}
