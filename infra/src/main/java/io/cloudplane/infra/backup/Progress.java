package io.cloudplane.infra.backup;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * How a long backup or restore step shows it is alive: a Temporal activity turns both calls into
 * heartbeats, so that a step that died is retried and one that works is not.
 */
public interface Progress {
    /** Nothing to tell, not even a figure, for the {@link #alive()} calls of a step that only runs. */
    Progress NONE = new Progress() {
        @Override
        public void alive() {
        }

        @Override
        public void bytes(long soFar) {
        }
    };

    /** Still working; called every few seconds while the step waits on something (a tool, a query). */
    void alive();

    /** {@code soFar} bytes of a stream read; called at most every 2 seconds while it is read. */
    void bytes(long soFar);

    /** {@code in}, reporting to this the bytes read from it. */
    default InputStream watch(InputStream in) {
        long every = 2_000_000_000L;
        return new FilterInputStream(in) {
            private long bytes;
            private long last = System.nanoTime();

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytes += n;
                    if (System.nanoTime() - last > every) {
                        bytes(bytes);
                        last = System.nanoTime();
                    }
                }
                return n;
            }
        };
    }
}
