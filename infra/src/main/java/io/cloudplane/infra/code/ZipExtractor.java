package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

import static io.cloudplane.infra.code.ArchiveReads.guarded;
import static io.cloudplane.infra.code.ArchiveReads.reading;

/** Unpacks an uploaded zip into a {@link SafeExtraction}, after checking what its directory declares. */
final class ZipExtractor {
    /** The most a zip's central directory may take per allowed entry (46 bytes plus name and extras). */
    static final long MAX_ZIP_DIRECTORY_BYTES_PER_ENTRY = 1024;
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIRECTORY = 0040000;
    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_END_OF_DIRECTORY = 0x06064b50;

    private ZipExtractor() {
    }

    /** True when {@code magic}, the first four bytes of a file, are those of a zip (an empty one included). */
    static boolean isZip(byte[] magic, int read) {
        return read == 4 && magic[0] == 'P' && magic[1] == 'K'
                && (magic[2] == 3 && magic[3] == 4 || magic[2] == 5 && magic[3] == 6);
    }

    static void extract(Path archive, SafeExtraction extraction) throws IOException {
        checkDirectory(archive, extraction.limits());
        try (ZipFile zip = reading(() -> ZipFile.builder().setPath(archive).get())) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                extraction.count();
                String name = entry.getName();
                int mode = entry.getUnixMode();
                int type = mode & TYPE_MASK;
                if (entry.isUnixSymlink()) {
                    extraction.symlink(name, linkTarget(zip, entry, extraction));
                } else if (type == TYPE_DIRECTORY || entry.isDirectory()) {
                    extraction.directory(name);
                } else if (type == 0 || type == TYPE_FILE) {
                    try (InputStream content = guarded(reading(() -> zip.getInputStream(entry)))) {
                        extraction.file(name, mode, content);
                    }
                } else {
                    throw new HostileArchiveException("entry '" + name + "' is not a file, folder or link");
                }
            }
        }
        extraction.finish();
    }

    /**
     * ZipFile reads the whole central directory before the first entry: its declared entry count
     * and size are checked first, from the end-of-central-directory record (and its zip64 form).
     */
    static void checkDirectory(Path archive, Limits limits) throws IOException {
        long size = Files.size(archive);
        int tail = (int) Math.min(size, 22 + 65535);
        byte[] end = new byte[tail];
        try (FileChannel channel = FileChannel.open(archive)) {
            ByteBuffer buffer = ByteBuffer.wrap(end);
            channel.position(size - tail);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read the tail
            }
            ByteBuffer le = ByteBuffer.wrap(end).order(ByteOrder.LITTLE_ENDIAN);
            int eocd = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (le.getInt(i) == END_OF_DIRECTORY) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new HostileArchiveException("archive is damaged or unsupported: no end of central directory");
            }
            long entries = le.getShort(eocd + 10) & 0xffffL;
            long directory = le.getInt(eocd + 12) & 0xffffffffL;
            if ((entries == 0xffff || directory == 0xffffffffL) && eocd >= 20 && le.getInt(eocd - 20) == ZIP64_LOCATOR) {
                long zip64 = le.getLong(eocd - 20 + 8);
                if (zip64 < 0 || zip64 > size - 56) {
                    throw new HostileArchiveException("archive is damaged or unsupported: bad zip64 record");
                }
                ByteBuffer record = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
                channel.position(zip64);
                while (record.hasRemaining() && channel.read(record) >= 0) {
                    // read the zip64 record
                }
                if (record.getInt(0) != ZIP64_END_OF_DIRECTORY) {
                    throw new HostileArchiveException("archive is damaged or unsupported: bad zip64 record");
                }
                entries = record.getLong(32);
                directory = record.getLong(40);
            }
            if (entries < 0 || entries > limits.maxEntries()) {
                throw new HostileArchiveException("more than " + limits.maxEntries() + " entries");
            }
            if (directory < 0 || directory > Saturating.multiply(limits.maxEntries(), MAX_ZIP_DIRECTORY_BYTES_PER_ENTRY) + 65536) {
                throw new HostileArchiveException("the archive's directory is larger than its " + limits.maxEntries()
                        + " entries may take");
            }
        }
    }

    private static String linkTarget(ZipFile zip, ZipArchiveEntry entry, SafeExtraction extraction) throws IOException {
        byte[] target;
        try (InputStream content = guarded(reading(() -> zip.getInputStream(entry)))) {
            target = content.readNBytes(SafeExtraction.MAX_LINK_TARGET + 1);
        }
        if (target.length > SafeExtraction.MAX_LINK_TARGET) {
            throw new HostileArchiveException("link '" + entry.getName() + "' has a target longer than "
                    + SafeExtraction.MAX_LINK_TARGET + " bytes");
        }
        extraction.countWritten(target.length);
        return new String(target, StandardCharsets.UTF_8);
    }
}
