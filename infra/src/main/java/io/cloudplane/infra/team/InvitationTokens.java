package io.cloudplane.infra.team;

import io.cloudplane.infra.crypto.Sha256;

import java.security.SecureRandom;
import java.util.Base64;

/** An invitation's token: 32 random bytes in base64url (no padding), stored as its SHA-256 only. */
public final class InvitationTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private InvitationTokens() {
    }

    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String sha256(String token) {
        return Sha256.hex(token);
    }

    /** The digest of a token no one knows: what a row holds while its real token is not made yet, or after a resend. */
    public static String unusable() {
        return sha256(newToken());
    }
}
