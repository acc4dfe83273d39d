package io.cloudplane.infra.crypto;

import java.security.SecureRandom;

/** Random strings for passwords and tokens (their digests: {@link Sha256}). */
public final class RandomTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private RandomTokens() {
    }

    /** Letters and digits only, so the value needs no quoting anywhere. */
    public static String alphanumeric(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
