package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory check that runs before commons-compress reads a zip's central directory whole, on
 * hand-made end records (the classic one and its zip64 form).
 */
class ZipExtractorTest {
    private static final Limits LIMITS = new Limits(10 * 1024 * 1024, 1000, 10 * 1024 * 1024);

    @TempDir
    Path dir;

    @Test
    void aDirectoryWithinTheLimitsPasses() throws IOException {
        assertDoesNotThrow(() -> ZipExtractor.checkDirectory(write("ok.zip", endRecord(2, 200)), LIMITS));
        long largest = 1000 * ZipExtractor.MAX_ZIP_DIRECTORY_BYTES_PER_ENTRY + 65536;
        assertDoesNotThrow(() -> ZipExtractor.checkDirectory(write("full.zip", endRecord(1000, largest)), LIMITS));
    }

    @Test
    void aDirectoryLargerThanItsEntriesMayTakeIsRefused() throws IOException {
        long tooLarge = 1000 * ZipExtractor.MAX_ZIP_DIRECTORY_BYTES_PER_ENTRY + 65537;
        assertRefused("the archive's directory is larger than its 1000 entries may take", write("big.zip", endRecord(2, tooLarge)));
    }

    @Test
    void aFileWithoutAnEndOfDirectoryIsDamaged() throws IOException {
        assertRefused("archive is damaged or unsupported: no end of central directory", write("none.zip", new byte[100]));
        assertRefused("archive is damaged or unsupported: no end of central directory", write("tiny.zip", new byte[3]));
    }

    @Test
    void theZip64RecordsCountsAreTheOnesChecked() throws IOException {
        assertDoesNotThrow(() -> ZipExtractor.checkDirectory(write("ok64.zip", zip64(0x06064b50, 0, 3, 300)), LIMITS));
        assertRefused("more than 1000 entries", write("many64.zip", zip64(0x06064b50, 0, 5000, 300)));
        assertRefused("the archive's directory is larger than its 1000 entries may take",
                write("big64.zip", zip64(0x06064b50, 0, 3, 1L << 40)));
        assertRefused("more than 1000 entries", write("negative64.zip", zip64(0x06064b50, 0, -1, 300)));
    }

    @Test
    void aZip64LocatorPointingAnywhereButAtItsRecordIsDamaged() throws IOException {
        assertRefused("archive is damaged or unsupported: bad zip64 record", write("past.zip", zip64(0x06064b50, 1_000_000, 3, 300)));
        assertRefused("archive is damaged or unsupported: bad zip64 record", write("sign.zip", zip64(0x12345678, 0, 3, 300)));
    }

    @Test
    void zipsAreToldApartByTheirFirstBytes() {
        assertTrue(ZipExtractor.isZip(new byte[] {'P', 'K', 3, 4}, 4));
        assertTrue(ZipExtractor.isZip(new byte[] {'P', 'K', 5, 6}, 4), "an empty zip is its end record alone");
        assertFalse(ZipExtractor.isZip(new byte[] {'P', 'K', 3, 4}, 3), "too short to tell");
        assertFalse(ZipExtractor.isZip(new byte[] {0x1f, (byte) 0x8b, 8, 0}, 4));
        assertTrue(TarGzExtractor.isGzip(new byte[] {0x1f, (byte) 0x8b, 0, 0}, 2));
        assertFalse(TarGzExtractor.isGzip(new byte[] {0x1f, 0, 0, 0}, 4));
    }

    private void assertRefused(String message, Path zip) {
        HostileArchiveException refused = assertThrows(HostileArchiveException.class, () -> ZipExtractor.checkDirectory(zip, LIMITS));
        assertEquals(message, refused.getMessage());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** An end-of-central-directory record, after a few bytes of (missing) entries. */
    private static byte[] endRecord(int entries, long directoryBytes) {
        ByteBuffer zip = ByteBuffer.allocate(30 + 22).order(ByteOrder.LITTLE_ENDIAN);
        zip.position(30);
        zip.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) entries).putShort((short) entries).putInt((int) directoryBytes).putInt(0).putShort((short) 0);
        return zip.array();
    }

    /**
     * A zip64 end record (at offset 0), its locator pointing at {@code recordAt}, and the classic end
     * record whose counts say "see zip64".
     */
    private static byte[] zip64(int signature, long recordAt, long entries, long directoryBytes) {
        ByteBuffer zip = ByteBuffer.allocate(56 + 20 + 22).order(ByteOrder.LITTLE_ENDIAN);
        zip.putInt(signature).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(entries).putLong(entries).putLong(directoryBytes).putLong(0);
        zip.putInt(0x07064b50).putInt(0).putLong(recordAt).putInt(1);
        zip.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0xffff).putShort((short) 0xffff).putInt(0xffffffff).putInt(0xffffffff).putShort((short) 0);
        return zip.array();
    }
}
