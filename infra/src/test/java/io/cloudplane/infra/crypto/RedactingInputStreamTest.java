package io.cloudplane.infra.crypto;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The log download's redaction, read a buffer at a time: nothing of the secret gets through, whatever the line lengths. */
class RedactingInputStreamTest {
    private static final String SECRET = "Qk8s2LmZ9vXw4Rt7Yp1Nc6Hd3Jf5Gb0a";

    private static String redacted(String text, int readSize) throws IOException {
        try (InputStream in = new RedactingInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), SECRET, "[redacted]")) {
            var out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[readSize];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyOccurrenceIsReplacedAndTheRestIsUnchanged() throws IOException {
        String log = "start\nurl=postgres://u:" + SECRET + "@db/x " + SECRET + SECRET + "\nend é\n";
        assertEquals(log.replace(SECRET, "[redacted]"), redacted(log, 7));
        assertEquals(log.replace(SECRET, "[redacted]"), redacted(log, 64 * 1024));
    }

    @Test
    void aSecretAcrossTheInternalBufferBoundaryOfAHugeLineIsFound() throws IOException {
        for (int offset = 8192 - SECRET.length(); offset <= 8192 + 1; offset++) {
            String log = "x".repeat(offset) + SECRET + "y".repeat(20_000); // one line, no newline: longer than a buffer
            String result = redacted(log, 1000);
            assertEquals(log.replace(SECRET, "[redacted]"), result, "secret at " + offset);
            assertFalse(result.contains(SECRET.substring(0, 8)), "no part of it");
        }
    }

    @Test
    void withoutASecretTheTextPassesThrough() throws IOException {
        String log = "a".repeat(50_000) + "\nb\n";
        try (InputStream in = new RedactingInputStream(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), null, "[redacted]")) {
            assertEquals(log, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
