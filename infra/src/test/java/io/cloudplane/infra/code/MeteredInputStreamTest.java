package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeteredInputStreamTest {
    private static final byte[] TWENTY = "0123456789abcdefghij".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Test
    void readsUpToTheLimitAndRefusesTheByteBeyondIt() throws IOException {
        assertArrayEquals(TWENTY, MeteredInputStream.decoded(new ByteArrayInputStream(TWENTY), 20, "too big").readAllBytes());

        MeteredInputStream metered = MeteredInputStream.decoded(new ByteArrayInputStream(TWENTY), 19, "too big");
        HostileArchiveException refused = assertThrows(HostileArchiveException.class, metered::readAllBytes);
        assertEquals("too big", refused.getMessage());
    }

    @Test
    void skippedBytesCountAndNothingCanBeReadTwice() throws IOException {
        MeteredInputStream metered = MeteredInputStream.decoded(new ByteArrayInputStream(TWENTY), 10, "too big");
        assertFalse(metered.markSupported(), "a reset would read bytes again without counting them");
        assertEquals("too big", assertThrows(HostileArchiveException.class, () -> metered.skip(15)).getMessage());
    }

    @Test
    void theSourceIsDigestedAsItIsRead() throws Exception {
        MessageDigest digest = io.cloudplane.infra.crypto.Sha256.newDigest();
        MeteredInputStream source = MeteredInputStream.source(new ByteArrayInputStream(TWENTY), 100, "too big", digest);
        assertEquals('0', source.read());
        source.readAllBytes();
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(TWENTY)),
                HexFormat.of().formatHex(digest.digest()));
    }

    @Test
    void aWindowBoundsWhatMayBeReadUntilItIsClosed() throws IOException {
        MeteredInputStream metered = MeteredInputStream.decoded(new ByteArrayInputStream(TWENTY), 20, "too big");
        metered.readNBytes(5);
        metered.openWindow(5, "header too big");
        assertEquals(5, metered.readNBytes(5).length, "exactly the window");
        metered.closeWindow();
        assertEquals(5, metered.readNBytes(5).length, "a closed window bounds nothing");
        metered.openWindow(2, "header too big");
        assertEquals("header too big", assertThrows(HostileArchiveException.class, () -> metered.readNBytes(3)).getMessage());
    }

    @Test
    void theSourcesFailureIsMarkedAsItsOwnAndADecodedStreamsIsPassedOn() {
        IOException reset = new IOException("connection reset");
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw reset;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw reset;
            }
        };
        ArchiveReads.SourceFailure marked = assertThrows(ArchiveReads.SourceFailure.class,
                () -> MeteredInputStream.source(failing, 100, "too big", io.cloudplane.infra.crypto.Sha256.newDigest()).read());
        assertSame(reset, marked.getCause());
        assertSame(reset, assertThrows(IOException.class, () -> MeteredInputStream.decoded(failing, 100, "too big").read()));
    }

    @Test
    void closingLeavesTheSourceOpenButClosesADecodedStream() throws IOException {
        boolean[] closed = new boolean[1];
        InputStream in = new ByteArrayInputStream(TWENTY) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        MeteredInputStream.source(in, 100, "too big", io.cloudplane.infra.crypto.Sha256.newDigest()).close();
        assertFalse(closed[0], "the caller closes its own stream");
        MeteredInputStream.decoded(in, 100, "too big").close();
        assertTrue(closed[0]);
    }
}
