package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Counts (and digests) the bytes read through it, refusing more than a limit with a
 * {@link HostileArchiveException}. Skips read, so that nothing escapes the count; no mark, so that
 * nothing is counted twice. A source stream's read failures are marked as
 * {@link ArchiveReads.SourceFailure}s (so that they are not taken for a damaged archive), and it is
 * left open.
 */
final class MeteredInputStream extends InputStream {
    private final InputStream in;
    private final long limit;
    private final String exceeded;
    private final MessageDigest digest;
    private final boolean source;
    private long count;
    private long window = Long.MAX_VALUE;
    private String windowExceeded;

    private MeteredInputStream(InputStream in, long limit, String exceeded, MessageDigest digest, boolean source) {
        this.in = in;
        this.limit = limit;
        this.exceeded = exceeded;
        this.digest = digest;
        this.source = source;
    }

    /** The archive's own bytes as they arrive, digested; {@code in} is not closed with it. */
    static MeteredInputStream source(InputStream in, long limit, String exceeded, MessageDigest digest) {
        return new MeteredInputStream(in, limit, exceeded, digest, true);
    }

    /** Bytes decoded from the archive (such as a gzip's content); closing it closes {@code in}. */
    static MeteredInputStream decoded(InputStream in, long limit, String exceeded) {
        return new MeteredInputStream(in, limit, exceeded, null, false);
    }

    /** Until {@link #closeWindow}, at most {@code bytes} more may be read (a header's budget). */
    void openWindow(long bytes, String message) {
        window = Saturating.add(count, bytes);
        windowExceeded = message;
    }

    void closeWindow() {
        window = Long.MAX_VALUE;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw source ? new ArchiveReads.SourceFailure(e) : e;
        }
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new HostileArchiveException(exceeded);
            }
            if (count > window) {
                throw new HostileArchiveException(windowExceeded);
            }
            if (digest != null) {
                digest.update(b, off, n);
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        if (!source) {
            in.close();
        }
    }
}
