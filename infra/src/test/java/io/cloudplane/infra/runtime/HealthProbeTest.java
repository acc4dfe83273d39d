package io.cloudplane.infra.runtime;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Probes against a real HTTP server on 127.0.0.1 and real processes. */
class HealthProbeTest {
    private final HealthProbe probe = new HealthProbe();
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void healthyOnlyOnA200AndTheAnswerIsTheDetail() throws IOException {
        int port = serve(200, "{\"status\":\"UP\"}");
        assertEquals(new HealthReport(true, true, "{\"status\":\"UP\"}"), probe.probe(port));
        stopServer();

        port = serve(503, "{\"database\":\"DOWN\"}");
        assertEquals(new HealthReport(false, true, "{\"database\":\"DOWN\"}"), probe.probe(port), "alive, not healthy");
    }

    @Test
    void aServerThatDoesNotAnswerYetIsAliveButNotHealthy() {
        int port = LoopbackPorts.choose(null);
        assertEquals(new HealthReport(false, true, "no answer on port " + port + " yet"), probe.probe(port));
    }

    @Test
    void aServerWhoseProcessEndedIsNotAliveAndSaysHow() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "exit 3").start();
        process.waitFor();
        assertEquals(new HealthReport(false, false, "the server exited with code 3"), probe.check(new ServerProcess(process, 1, "1.0.0")));
    }

    private int serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/_health", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server.getAddress().getPort();
    }
}
