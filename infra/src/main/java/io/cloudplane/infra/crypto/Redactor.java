package io.cloudplane.infra.crypto;

import java.io.InputStream;

/**
 * Replaces a secret (an environment's database password) by {@value #REPLACEMENT} in what a server
 * printed, before it reaches a response, an operation error or a workflow history.
 */
public final class Redactor {
    public static final String REPLACEMENT = "[redacted]";
    private final String secret;

    private Redactor(String secret) {
        this.secret = secret == null || secret.isEmpty() ? null : secret;
    }

    public static Redactor of(String secret) {
        return new Redactor(secret);
    }

    /** For a password kept sealed by {@code box} ({@code sealed} may be null: nothing to hide). */
    public static Redactor ofSealed(SecretBox box, String sealed) {
        return new Redactor(sealed == null ? null : box.decrypt(sealed));
    }

    public String apply(String text) {
        return secret == null ? text : text.replace(secret, REPLACEMENT);
    }

    /** The stream's UTF-8 text, redacted a buffer at a time (a secret across two reads included). */
    public InputStream wrap(InputStream source) {
        return new RedactingInputStream(source, secret, REPLACEMENT);
    }
}
