package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads of an uploaded archive, whose failures are the archive's: a damaged archive is refused
 * ({@link HostileArchiveException}), unless the failure is the source stream's own (a download cut
 * short), which is passed on as the IOException it was.
 */
final class ArchiveReads {
    private ArchiveReads() {
    }

    /** A read of the archive. */
    interface Reading<T> {
        T read() throws IOException;
    }

    static <T> T reading(Reading<T> step) throws IOException {
        try {
            return step.read();
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    /**
     * What a failure to read the archive becomes: the refusal or the source's failure it wraps if
     * any, else a refusal of a damaged archive (commons-compress reports those in many ways).
     */
    private static IOException unreadable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HostileArchiveException hostile) {
                throw hostile;
            }
            if (t instanceof SourceFailure failure) {
                return failure.getCause();
            }
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new HostileArchiveException("archive is damaged or unsupported: " + detail);
    }

    /** Archive content whose read failures are {@link #unreadable} ones. */
    static InputStream guarded(InputStream in) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return reading(in::read);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return reading(() -> in.read(b, off, len));
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /** A failure of the stream the archive is read from, told apart from a damaged archive. */
    static final class SourceFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SourceFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
