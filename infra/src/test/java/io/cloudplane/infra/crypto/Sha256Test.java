package io.cloudplane.infra.crypto;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The digest of FIPS 180-2's test vectors, whether given bytes, a string or a stream. */
class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void bytesAndStringsGiveTheStandardDigestInLowerCaseHex() {
        assertEquals(ABC, Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(ABC, Sha256.hex("abc"));
        assertEquals(EMPTY, Sha256.hex(new byte[0]));
        assertEquals(Sha256.hex("héllo".getBytes(StandardCharsets.UTF_8)), Sha256.hex("héllo"), "a string is digested as UTF-8");
    }

    @Test
    void aStreamDigestedAsItPassesMatchesItsBytesAndTheDigestStartsOverAfterwards() throws Exception {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        assertEquals(ABC, Sha256.hex(digest));
        assertEquals(EMPTY, Sha256.hex(digest), "hex completes the digest, which then starts over");
    }
}
