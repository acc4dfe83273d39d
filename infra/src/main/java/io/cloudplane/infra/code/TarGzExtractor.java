package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import io.cloudplane.infra.crypto.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static io.cloudplane.infra.code.ArchiveReads.guarded;
import static io.cloudplane.infra.code.ArchiveReads.reading;

/**
 * Unpacks a tar.gz stream into a {@link SafeExtraction}, metering both the compressed bytes (and
 * digesting them) and the decompressed ones, so that neither a large download nor a gzip bomb gets
 * past its limit.
 */
final class TarGzExtractor {
    /** The most a tar header (a long name, a PAX header) may hold; real ones are a few hundred bytes. */
    static final long MAX_HEADER_BYTES = 1024 * 1024;
    /**
     * What a tar may hold besides file content, per entry (headers, PAX records, long names and
     * padding) and once (global headers, end-of-archive records): it bounds what the tar reader
     * keeps in memory, as long names and PAX headers are read whole.
     */
    private static final long TAR_OVERHEAD_PER_ENTRY = 16 * 1024;
    private static final long TAR_OVERHEAD = 1024 * 1024;

    private TarGzExtractor() {
    }

    /** True when {@code magic}, the first bytes of a file, are those of a gzip stream. */
    static boolean isGzip(byte[] magic, int read) {
        return read >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    }

    /**
     * Unpacks {@code in} (read to its end, not closed) and returns the lowercase hex SHA-256 of
     * every byte read from it.
     */
    static String extract(InputStream in, SafeExtraction extraction) throws IOException {
        Limits limits = extraction.limits();
        MessageDigest digest = Sha256.newDigest();
        MeteredInputStream source = MeteredInputStream.source(in, limits.maxArchiveBytes(),
                "archive is larger than " + limits.maxArchiveBytes() + " bytes", digest);
        GzipCompressorInputStream gzip = reading(() -> new GzipCompressorInputStream(source));
        long tarLimit = Saturating.add(limits.maxExpandedBytes(),
                Saturating.add(TAR_OVERHEAD, Saturating.multiply(limits.maxEntries() + 2L, TAR_OVERHEAD_PER_ENTRY)));
        MeteredInputStream tarBytes = MeteredInputStream.decoded(gzip, tarLimit,
                "expands to more than " + limits.maxExpandedBytes() + " bytes");
        try (TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name())) {
            extractTar(tar, extraction, tarBytes);
            reading(() -> source.transferTo(OutputStream.nullOutputStream()));
        }
        extraction.finish();
        return Sha256.hex(digest);
    }

    /**
     * The tar reader holds a long name or an extended header whole in memory: each header gets a
     * budget of {@link #MAX_HEADER_BYTES}, so a small archive cannot make it allocate gigabytes.
     */
    private static void extractTar(TarArchiveInputStream tar, SafeExtraction extraction, MeteredInputStream tarBytes)
            throws IOException {
        TarArchiveEntry entry;
        while (true) {
            tarBytes.openWindow(MAX_HEADER_BYTES, "an entry's header (its name or extended attributes) is larger than "
                    + MAX_HEADER_BYTES + " bytes");
            try {
                entry = reading(tar::getNextEntry);
            } finally {
                tarBytes.closeWindow();
            }
            if (entry == null) {
                break;
            }
            byte type = entry.getLinkFlag();
            if (type == TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER) {
                continue; // metadata, such as the commit id git archive records
            }
            extraction.count();
            String name = entry.getName();
            switch (type) {
                case TarConstants.LF_SYMLINK -> extraction.symlink(name, entry.getLinkName());
                case TarConstants.LF_LINK -> extraction.hardLink(name, entry.getLinkName());
                case TarConstants.LF_DIR -> extraction.directory(name);
                case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG -> {
                    if (name.endsWith("/")) {
                        extraction.directory(name);
                    } else if (entry.isSparse()) {
                        throw new HostileArchiveException("entry '" + name + "' is a sparse file, which is not supported");
                    } else {
                        extraction.file(name, entry.getMode(), guarded(tar));
                    }
                }
                case TarConstants.LF_CHR -> throw new HostileArchiveException("entry '" + name + "' is a character device");
                case TarConstants.LF_BLK -> throw new HostileArchiveException("entry '" + name + "' is a block device");
                case TarConstants.LF_FIFO -> throw new HostileArchiveException("entry '" + name + "' is a fifo");
                default -> throw new HostileArchiveException("entry '" + name + "' is not a file, folder or link (tar type '"
                        + (type >= 0x21 && type < 0x7f ? String.valueOf((char) type) : String.valueOf(type & 0xff)) + "')");
            }
        }
    }
}
