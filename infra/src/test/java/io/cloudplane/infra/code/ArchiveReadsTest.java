package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArchiveReadsTest {

    @Test
    void aFailureToReadIsADamagedArchive() {
        HostileArchiveException io = assertThrows(HostileArchiveException.class,
                () -> ArchiveReads.reading(() -> { throw new IOException("Truncated TAR archive"); }));
        assertEquals("archive is damaged or unsupported: Truncated TAR archive", io.getMessage());
        HostileArchiveException runtime = assertThrows(HostileArchiveException.class,
                () -> ArchiveReads.reading(() -> { throw new IllegalStateException(); }));
        assertEquals("archive is damaged or unsupported: IllegalStateException", runtime.getMessage(), "named by its type without a message");
    }

    @Test
    void aRefusalFoundInsideIsThrownAsItIs() {
        HostileArchiveException refusal = new HostileArchiveException("expands to more than 10 bytes");
        assertSame(refusal, assertThrows(HostileArchiveException.class,
                () -> ArchiveReads.reading(() -> { throw new IOException("wrapped", refusal); })));
    }

    @Test
    void theSourcesOwnFailureIsPassedOnAsTheIOExceptionItWas() {
        IOException reset = new IOException("connection reset");
        IOException thrown = assertThrows(IOException.class, () -> ArchiveReads.reading(() -> {
            throw new UncheckedIOException(new IOException("inflating", new ArchiveReads.SourceFailure(reset)));
        }));
        assertSame(reset, thrown);
    }

    @Test
    void aGuardedStreamReadsThroughAndRefusesADamagedOne() throws IOException {
        try (InputStream in = ArchiveReads.guarded(new ByteArrayInputStream(new byte[] {1, 2, 3}))) {
            assertEquals(1, in.read());
            assertEquals(2, in.readAllBytes().length);
        }
        InputStream damaged = ArchiveReads.guarded(new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("invalid stored block lengths");
            }
        });
        assertEquals("archive is damaged or unsupported: invalid stored block lengths",
                assertThrows(HostileArchiveException.class, damaged::read).getMessage());
    }
}
