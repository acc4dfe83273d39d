package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** An answer of the API that is not a success: its problem document (RFC 9457) in words. */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** "title: detail (field: message)", from a problem+json body, or the status and the raw body otherwise. */
    static ApiException of(int status, String body, JsonNode problem) {
        if (problem == null || !problem.has("title")) {
            return new ApiException(status, "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + body.strip()));
        }
        StringBuilder text = new StringBuilder(problem.path("title").asText());
        if (problem.hasNonNull("detail")) {
            text.append(": ").append(problem.get("detail").asText());
        }
        for (JsonNode error : problem.path("errors")) {
            text.append("\n  ").append(error.hasNonNull("field") ? error.get("field").asText() + ": " : "")
                    .append(error.path("message").asText());
        }
        if (problem.hasNonNull("operationId")) {
            text.append("\n  operation: ").append(problem.get("operationId").asText());
        }
        return new ApiException(status, text.toString());
    }
}
