package io.cloudplane.api.common;

import io.cloudplane.api.problem.ApiException;

import java.util.UUID;

public final class Ids {
    private Ids() {
    }

    /** A required ID from a request body: 400 naming the field when it is missing or malformed. */
    public static UUID parse(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, "required");
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, "not an ID: " + value);
        }
    }
}
