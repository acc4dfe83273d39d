package io.cloudplane.infra.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One probe of a local server: its process, then its {@code /_health} endpoint on 127.0.0.1. A
 * server that does not answer yet is alive but not healthy; one whose process ended is not alive.
 */
final class HealthProbe {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    HealthReport check(ServerProcess server) {
        if (!server.isAlive()) {
            return new HealthReport(false, false, "the server exited with code " + server.exitValue());
        }
        return probe(server.port());
    }

    /** Healthy on a 200; the answer's body is the detail. */
    HealthReport probe(int port) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new HealthReport(response.statusCode() == 200, true, response.body());
        } catch (IOException e) {
            return new HealthReport(false, true, "no answer on port " + port + " yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HealthReport(false, true, "interrupted");
        }
    }
}
