package io.cloudplane.api;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** JSON calls to the test's embedded server through the JDK's client, which leaves every status to the caller. */
public final class JsonCalls {
    private final EmbeddedServer server;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newHttpClient();

    /** A status and the JSON object answered (empty when the body is not one). */
    public record Answer(int status, Map<String, Object> body) {
    }

    public JsonCalls(EmbeddedServer server, JsonMapper json) {
        this.server = server;
        this.json = json;
    }

    /** {@code body} as JSON if not null, with {@code bearer} as the bearer token if not null. */
    public Answer call(String method, String path, Object body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURI() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> parsed = response.body().startsWith("{")
                ? json.readValue(response.body(), Argument.mapOf(String.class, Object.class)) : Map.of();
        return new Answer(response.statusCode(), parsed);
    }
}
