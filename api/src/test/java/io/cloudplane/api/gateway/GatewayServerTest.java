package io.cloudplane.api.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's proxy engine against real backends (the JDK's HTTP server, and a Netty WebSocket
 * echo server), with a router of the test's own: forwarded and identity headers, kept connections,
 * 200 MB both ways, WebSocket, its own answers, a late decision, a server that is down, and input
 * that is not HTTP. The trusted proxy is 127.0.0.2 (a raw socket bound to it); everything else
 * connects from 127.0.0.1.
 */
class GatewayServerTest {
    private static final long BIG = 200L * 1024 * 1024;
    private static final String TRUSTED_PROXY = "127.0.0.2";

    private static HttpServer backend;
    private static ExecutorService backendThreads;
    private static final ConcurrentLinkedQueue<Integer> backendPeerPorts = new ConcurrentLinkedQueue<>();
    private static final AtomicReference<String> downloadDigest = new AtomicReference<>();
    private static EventLoopGroup webSocketGroup;
    private static Channel webSocketServer;
    private static InetSocketAddress down;
    private static ServerSocket rawBackend;
    private static TestRouter router;
    private static GatewayServer gateway;
    private static final AtomicInteger listenedOn = new AtomicInteger();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backendThreads = Executors.newCachedThreadPool();
        backend.setExecutor(backendThreads);
        backend.createContext("/", GatewayServerTest::serve);
        backend.start();
        webSocketGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        webSocketServer = new ServerBootstrap().group(webSocketGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"), new WebSocketFrameAggregator(1 << 20),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
                                    }
                                });
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            down = new InetSocketAddress(InetAddress.getLoopbackAddress(), free.getLocalPort());
        }
        rawBackend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        backendThreads.execute(GatewayServerTest::serveRaw);
        router = new TestRouter(backend.getAddress(), (InetSocketAddress) webSocketServer.localAddress(), down,
                (InetSocketAddress) rawBackend.getLocalSocketAddress());
        GatewaySettings settings = new GatewaySettings(true, 0, "127.0.0.1", "localhost", "http", null, List.of(TRUSTED_PROXY),
                Duration.ofSeconds(30), Duration.ofHours(12), Duration.ofMinutes(1), 2, false, 0, null);
        gateway = new GatewayServer(settings, router, listenedOn::set);
        gateway.start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (webSocketServer != null) {
            webSocketServer.close().syncUninterruptibly();
            webSocketGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (rawBackend != null) {
            try {
                rawBackend.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (backend != null) {
            backend.stop(0);
            backendThreads.shutdownNow();
        }
    }

    @BeforeEach
    void forget() {
        router.requests.clear();
        backendPeerPorts.clear();
    }

    // ---- The backend ----

    /** POST: the SHA-256 of the body; GET /download?size=N: N generated bytes; otherwise the request's headers, one "name: value" a line. */
    private static void serve(HttpExchange exchange) throws IOException {
        backendPeerPorts.add(exchange.getRemoteAddress().getPort());
        try (exchange) {
            byte[] answer;
            if (exchange.getRequestMethod().equals("POST")) {
                MessageDigest digest = sha256();
                try (InputStream in = exchange.getRequestBody()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
                answer = HexFormat.of().formatHex(digest.digest()).getBytes(StandardCharsets.US_ASCII);
            } else if (exchange.getRequestURI().getPath().equals("/download")) {
                long size = Long.parseLong(exchange.getRequestURI().getQuery().substring("size=".length()));
                exchange.sendResponseHeaders(200, size);
                Generated generated = new Generated(size);
                try (OutputStream out = exchange.getResponseBody()) {
                    generated.transferTo(out);
                }
                downloadDigest.set(generated.hex());
                return;
            } else {
                StringBuilder text = new StringBuilder();
                exchange.getRequestHeaders().forEach((name, values) ->
                        values.forEach(value -> text.append(name.toLowerCase()).append(": ").append(value).append('\n')));
                answer = text.toString().getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    /**
     * A server with the manners the JDK's lacks: {@code /eof} answers without a length and closes to end its body;
     * {@code /flaky} answers the first request of each connection and closes the connection on the second unanswered
     * (what a server does when its keep-alive timeout meets a request on the way).
     */
    private static void serveRaw() {
        while (!rawBackend.isClosed()) {
            Socket socket;
            try {
                socket = rawBackend.accept();
            } catch (IOException e) {
                return;
            }
            backendThreads.execute(() -> {
                try (socket) {
                    InputStream in = socket.getInputStream();
                    for (int served = 0; ; served++) {
                        String head = readHead(in);
                        if (head == null) {
                            return;
                        }
                        OutputStream out = socket.getOutputStream();
                        if (head.startsWith("GET /eof")) {
                            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the server closes".getBytes(StandardCharsets.US_ASCII));
                            return;
                        }
                        if (served > 0) {
                            return;
                        }
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    // the gateway went away
                }
            });
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }

    /** Routes by path: /respond answers 403 itself, /async decides 200 ms later, /unreachable goes to a closed port, /ws to the WebSocket server, the rest to the HTTP backend as user-1. */
    private static final class TestRouter implements GatewayRouter {
        final List<GatewayRequest> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger forwarded = new AtomicInteger();
        private final InetSocketAddress http;
        private final InetSocketAddress webSocket;
        private final InetSocketAddress down;
        private final InetSocketAddress raw;

        TestRouter(InetSocketAddress http, InetSocketAddress webSocket, InetSocketAddress down, InetSocketAddress raw) {
            this.http = http;
            this.webSocket = webSocket;
            this.down = down;
            this.raw = raw;
        }

        @Override
        public CompletionStage<GatewayDecision> decide(GatewayRequest request) {
            requests.add(request);
            String path = request.path();
            if (path.startsWith("/respond")) {
                return CompletableFuture.completedFuture(GatewayDecision.Respond.page(403, "<p>refused by the test router</p>"));
            }
            if (path.startsWith("/unreachable")) {
                return CompletableFuture.completedFuture(new GatewayDecision.Forward(down, Map.of(), "down"));
            }
            if (path.startsWith("/eof") || path.startsWith("/flaky")) {
                return CompletableFuture.completedFuture(new GatewayDecision.Forward(raw, Map.of(), "raw"));
            }
            if (path.startsWith("/ws")) {
                return CompletableFuture.completedFuture(new GatewayDecision.Forward(webSocket, Map.of(), "ws"));
            }
            if (path.startsWith("/signed-in")) { // the router took the bearer token as Cloudplane's
                return CompletableFuture.completedFuture(new GatewayDecision.Forward(http, Map.of("X-Cloudplane-User-Id", "user-1"),
                        "http", true));
            }
            GatewayDecision forward = new GatewayDecision.Forward(http, Map.of("X-Cloudplane-User-Id", "user-1"), "http");
            if (path.startsWith("/async")) {
                return CompletableFuture.supplyAsync(() -> forward, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
            }
            return CompletableFuture.completedFuture(forward);
        }

        @Override
        public GatewayDecision.Respond backendFailed(GatewayRequest request, GatewayDecision.Forward forward, Throwable cause) {
            return GatewayDecision.Respond.page(502, "<p>server down: " + forward.route() + "</p>");
        }

        @Override
        public void forwarded(GatewayRequest request, GatewayDecision.Forward forward) {
            forwarded.incrementAndGet();
        }
    }

    // ---- Tests ----

    @Test
    void listensOnAFreePortAndSaysSo() {
        assertTrue(gateway.port() > 0);
        assertEquals(gateway.port(), listenedOn.get());
    }

    @Test
    void forgedIdentityIsRemovedTheDecisionsIsSetAndForwardedHeadersAreTheGateways() throws Exception {
        HttpResponse<String> response = http.send(request("/echo")
                .header("X-Cloudplane-User-Id", "forged")
                .header("x-CLOUDPLANE-profile", "admin")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "evil.example")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        String seen = response.body();
        assertTrue(seen.contains("x-cloudplane-user-id: user-1\n"), seen);
        assertFalse(seen.contains("forged"), seen);
        assertFalse(seen.contains("x-cloudplane-profile"), seen);
        assertTrue(seen.contains("x-forwarded-for: 127.0.0.1\n"), seen);
        assertTrue(seen.contains("x-forwarded-proto: http\n"), seen);
        assertTrue(seen.contains("x-forwarded-host: 127.0.0.1:" + gateway.port() + "\n"), seen);
        assertFalse(seen.contains("6.6.6.6") || seen.contains("evil.example"), seen);
        GatewayRequest decided = router.requests.get(0);
        assertFalse(decided.headers().contains("X-Cloudplane-User-Id"), "the router saw a forged identity");
        assertEquals("127.0.0.1", decided.clientAddress());
        assertEquals("http", decided.scheme());
        assertEquals("/echo", decided.path());
    }

    @Test
    void cloudplanesCredentialsNeverReachTheServerButTheAppsOwnDo() throws Exception {
        HttpResponse<String> signedIn = http.send(request("/signed-in/echo")
                .header("Authorization", "Bearer cloudplane-token")
                .header("Cookie", "theme=dark; " + GatewayCallers.COOKIE + "=secret-session; cart=42")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signedIn.statusCode());
        String seen = signedIn.body();
        assertFalse(seen.contains("cloudplane-token") || seen.contains("secret-session") || seen.contains(GatewayCallers.COOKIE), seen);
        assertTrue(seen.contains("theme=dark") && seen.contains("cart=42"), "the app's own cookies go through: " + seen);
        assertTrue(seen.contains("x-cloudplane-user-id: user-1\n"), seen);

        HttpResponse<String> appsOwn = http.send(request("/echo")
                .header("Authorization", "Bearer the-apps-own-token")
                .header("Cookie", GatewayCallers.COOKIE + "=secret-session")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(appsOwn.body().contains("authorization: Bearer the-apps-own-token\n"),
                "a token the router did not take as Cloudplane's is the app's: " + appsOwn.body());
        assertFalse(appsOwn.body().contains("secret-session") || appsOwn.body().contains("cookie:"), appsOwn.body());
    }

    @Test
    void aTrustedProxysForwardedHeadersAreBelievedAndAnUntrustedOnesReplaced() throws Exception {
        String request = "GET /echo HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n"
                + "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\n\r\n";

        Raw trusted = raw(TRUSTED_PROXY, request.getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, trusted.status(), trusted.text());
        assertTrue(trusted.body().contains("x-forwarded-for: 203.0.113.7, 127.0.0.2\n"), trusted.body());
        assertTrue(trusted.body().contains("x-forwarded-proto: https\n"), trusted.body());
        assertTrue(trusted.body().contains("x-forwarded-host: app.example.com\n"), trusted.body());
        assertEquals("203.0.113.7", router.requests.get(0).clientAddress());
        assertEquals("https", router.requests.get(0).scheme());

        Raw untrusted = raw("127.0.0.1", request.getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, untrusted.status(), untrusted.text());
        assertTrue(untrusted.body().contains("x-forwarded-for: 127.0.0.1\n"), untrusted.body());
        assertTrue(untrusted.body().contains("x-forwarded-proto: http\n"), untrusted.body());
        assertFalse(untrusted.body().contains("203.0.113.7"), untrusted.body());
        assertEquals("127.0.0.1", router.requests.get(1).clientAddress());
        assertEquals("http", router.requests.get(1).scheme());
    }

    @Test
    void fiftyRequestsOnOneClientConnectionUseOneBackendConnection() throws Exception {
        HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = oneConnection.send(request("/echo?i=" + i).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
        }
        assertEquals(50, router.requests.size());
        assertEquals(1, router.requests.stream().map(r -> r.peer().getPort()).distinct().count(), "the client used one connection");
        assertEquals(50, backendPeerPorts.size());
        assertEquals(1, backendPeerPorts.stream().distinct().count(), "backend connections: " + backendPeerPorts);
    }

    @Test
    void twoHundredMegabytesGoThroughEachWayWholeWithoutPilingUpInTheGateway() throws Exception {
        AllocatorWatch watch = new AllocatorWatch();
        try (watch) {
            Generated upload = new Generated(BIG);
            HttpResponse<String> uploaded = http.send(request("/upload")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> upload)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, uploaded.statusCode());
            assertEquals(BIG, upload.count);
            assertEquals(upload.hex(), uploaded.body(), "the upload arrived changed");

            HttpResponse<InputStream> downloaded = http.send(request("/download?size=" + BIG).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, downloaded.statusCode());
            MessageDigest digest = sha256();
            long count = 0;
            try (InputStream in = downloaded.body()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                    count += n;
                }
            }
            assertEquals(BIG, count);
            assertEquals(downloadDigest.get(), HexFormat.of().formatHex(digest.digest()), "the download arrived changed");
        }
        // Without backpressure the faster side's bytes would pile up in the gateway's buffers.
        assertTrue(watch.peakGrowth() < 64L * 1024 * 1024, "the gateway's buffers grew by " + watch.peakGrowth() + " bytes");
    }

    @Test
    void aWebSocketEchoesThroughTheGateway() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/ws"),
                new WebSocket.Listener() {
                    private final StringBuilder message = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        message.append(data);
                        if (last) {
                            received.add(message.toString());
                            message.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        String big = "x".repeat(300_000);
        for (String text : List.of("hello", "through the gateway", big)) {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            assertEquals("echo: " + text, received.poll(10, TimeUnit.SECONDS));
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertTrue(router.requests.get(0).upgrade());
    }

    @Test
    void aRespondDecisionIsWrittenItsBodyDroppedAndTheConnectionKept() throws Exception {
        HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> refused = oneConnection.send(request("/respond")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024 * 1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        assertEquals("<p>refused by the test router</p>", refused.body());
        assertEquals("text/html; charset=utf-8", refused.headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<String> next = oneConnection.send(request("/echo").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, next.statusCode());
        assertEquals(router.requests.get(0).peer(), router.requests.get(1).peer(), "the connection was not kept");
    }

    @Test
    void aLateDecisionStillForwardsTheWholeBody() throws Exception {
        Generated body = new Generated(3 * 1024 * 1024);
        HttpResponse<String> response = http.send(request("/async/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(body.hex(), response.body());
    }

    @Test
    void aServerThatIsDownGetsTheRoutersPage() throws Exception {
        HttpResponse<String> response = http.send(request("/unreachable").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(502, response.statusCode());
        assertEquals("<p>server down: down</p>", response.body());
    }

    @Test
    void aKeptBackendConnectionThatTheServerClosedIsRetriedOnANewOne() throws Exception {
        HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = oneConnection.send(request("/flaky").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), "request " + i + ": " + response.body());
            assertEquals("first", response.body());
        }
    }

    @Test
    void aBodyThatEndsWhenTheServerClosesIsChunkedAndTheClientConnectionKept() throws Exception {
        HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = oneConnection.send(request("/eof").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("until the server closes", response.body());
            assertEquals("chunked", response.headers().firstValue("Transfer-Encoding").orElse(""));
        }
        assertEquals(router.requests.get(0).peer(), router.requests.get(1).peer(), "the client connection was not kept");
    }

    @Test
    void expectContinueIsAnsweredByTheGatewayOnceForwardingAndARefusalNeedsNoBody() throws Exception {
        Generated body = new Generated(1024 * 1024);
        HttpResponse<String> uploaded = http.send(request("/upload").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, uploaded.statusCode());
        assertEquals(body.hex(), uploaded.body());
        assertFalse(router.requests.get(0).headers().isEmpty());

        // The JDK's client (17) waits forever for a body it need not send, so the refusal is read from a socket.
        Raw refused = raw("127.0.0.1", ("POST /respond HTTP/1.1\r\nHost: x.localhost\r\nExpect: 100-continue\r\n"
                + "Content-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(403, refused.status(), refused.text());
        assertTrue(refused.text().toLowerCase().contains("connection: close"), "the gateway cannot know whether the body comes: " + refused.text());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String requests = "GET /echo?n=1 HTTP/1.1\r\nHost: x.localhost\r\n\r\n"
                + "POST /upload HTTP/1.1\r\nHost: x.localhost\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /respond HTTP/1.1\r\nHost: x.localhost\r\n\r\n"
                + "GET /echo?n=4 HTTP/1.1\r\nHost: x.localhost\r\nConnection: close\r\n\r\n";
        String answers = raw("127.0.0.1", requests.getBytes(StandardCharsets.US_ASCII)).text();
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int at = answers.indexOf("HTTP/1.1 "); at >= 0; at = answers.indexOf("HTTP/1.1 ", at + 1)) {
            statuses.add(Integer.parseInt(answers.substring(at + 9, at + 12)));
        }
        assertEquals(List.of(200, 200, 403, 200), statuses, answers);
        String helloDigest = HexFormat.of().formatHex(sha256().digest("hello".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(answers.indexOf(helloDigest) > 0 && answers.indexOf(helloDigest) < answers.indexOf("refused by the test router"), answers);
        assertEquals(4, router.requests.size());
        assertEquals(1, router.requests.stream().map(GatewayRequest::peer).distinct().count());
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestGetsTheAnswer() throws Exception {
        for (String path : List.of("/echo", "/async/echo")) {
            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x.localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                Raw answer = new Raw(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
                assertEquals(200, answer.status(), path + ": " + answer.text());
                assertTrue(answer.body().contains("x-cloudplane-user-id: user-1"), answer.text());
            }
        }
    }

    @Test
    void aHeadRequestGetsTheHeadOnly() throws Exception {
        HttpResponse<String> response = http.send(request("/echo").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("", response.body());
        HttpResponse<String> next = http.send(request("/echo").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, next.statusCode());
    }

    @Test
    void inputThatIsNotAReadableRequestGetsAFourHundredAndTheListenerGoesOn() throws Exception {
        String longLine = "GET /" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x.localhost\r\n\r\n";
        String longHeaders = "GET / HTTP/1.1\r\nHost: x.localhost\r\nX-Big: " + "b".repeat(100_000) + "\r\n\r\n";
        byte[] garbage = new byte[4096];
        new Random(14).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i += 97) {
            garbage[i] = '\n';
        }
        String noHost = "GET / HTTP/1.0\r\n\r\n";
        List<Object[]> cases = List.of(
                new Object[]{"a 100 KB request line", longLine.getBytes(StandardCharsets.US_ASCII), 414},
                new Object[]{"100 KB of headers", longHeaders.getBytes(StandardCharsets.US_ASCII), 431},
                new Object[]{"garbage bytes", garbage, 400},
                new Object[]{"no Host", noHost.getBytes(StandardCharsets.US_ASCII), 400});
        for (Object[] c : cases) {
            Raw answer = raw("127.0.0.1", (byte[]) c[1]);
            assertEquals(c[2], answer.status(), c[0] + ": " + answer.text());
            assertFalse(answer.text().contains("Exception") || answer.text().contains("\tat "), c[0] + ": " + answer.text());
            HttpResponse<String> next = http.send(request("/echo").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, next.statusCode(), "after " + c[0]);
        }
        assertTrue(router.requests.stream().allMatch(r -> r.path().equals("/echo")), "the router was asked about bad input");
    }

    // ---- Helpers ----

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private record Raw(String text) {
        int status() {
            return text.startsWith("HTTP/1.") ? Integer.parseInt(text.substring(9, 12)) : -1;
        }

        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }

    /** Sends bytes from a socket bound to {@code from} and reads until the gateway closes. */
    private static Raw raw(String from, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return new Raw(answer.toString(StandardCharsets.ISO_8859_1));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code size} reproducible bytes, made as they are read (never held whole), and their SHA-256. */
    private static final class Generated extends InputStream {
        private static final byte[] BLOCK = new byte[64 * 1024];

        static {
            new Random(42).nextBytes(BLOCK);
        }

        private final long size;
        private final MessageDigest digest = sha256();
        long count;

        Generated(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (count >= size) {
                return -1;
            }
            int at = (int) (count % BLOCK.length);
            int n = (int) Math.min(Math.min(length, BLOCK.length - at), size - count);
            System.arraycopy(BLOCK, at, buffer, offset, n);
            buffer[offset] ^= (byte) (count / BLOCK.length); // every block differs
            digest.update(buffer, offset, n);
            count += n;
            return n;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** The most the pooled allocator's memory in use grew over its start while it ran. */
    private static final class AllocatorWatch implements AutoCloseable {
        private final long baseline = used();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(used(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "allocator-watch");

        AllocatorWatch() {
            thread.setDaemon(true);
            thread.start();
        }

        private static long used() {
            var metric = PooledByteBufAllocator.DEFAULT.metric();
            return metric.usedDirectMemory() + metric.usedHeapMemory();
        }

        long peakGrowth() {
            return Math.max(0, peak.get() - baseline);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }
}
