package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The REST API of Cloudplane, as the CLI uses it: JSON in and out, problems turned into {@link ApiException}. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final String token;

    Api(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    String baseUrl() {
        return baseUrl;
    }

    JsonNode get(String path) {
        return json(send("GET", path, null, null));
    }

    JsonNode post(String path, Object body) {
        return json(send("POST", path, body == null ? null : write(body), "application/json"));
    }

    JsonNode delete(String path) {
        return json(send("DELETE", path, null, null));
    }

    JsonNode put(String path, byte[] body, String contentType) {
        return json(send("PUT", path, body, contentType));
    }

    String text(String path) {
        return send("GET", path, null, null).body();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, application/problem+json, text/plain");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiException(0, "Cannot reach the API at " + baseUrl + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "Interrupted");
        }
        if (response.statusCode() >= 400) {
            JsonNode problem = null;
            try {
                problem = response.body().isBlank() ? null : JSON.readTree(response.body());
            } catch (IOException notJson) {
                // the raw body is shown instead
            }
            if (response.statusCode() == 401) {
                throw new ApiException(401, (problem != null && problem.has("title") ? ApiException.of(401, "", problem).getMessage()
                        : "Unauthorized") + "\n  Log in with `cloudplane login`, or set CLOUDPLANE_API_KEY.");
            }
            throw ApiException.of(response.statusCode(), response.body(), problem);
        }
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ApiException(response.statusCode(), "Not JSON: " + response.body());
        }
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
