package io.cloudplane.api.security;

import io.micronaut.security.authentication.Authentication;

import java.util.UUID;

/** The authenticated user's ID, which both session and API tokens carry as their name. */
public final class Caller {
    private Caller() {
    }

    public static UUID id(Authentication authentication) {
        return UUID.fromString(authentication.getName());
    }
}
