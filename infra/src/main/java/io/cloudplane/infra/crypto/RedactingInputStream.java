package io.cloudplane.infra.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * A UTF-8 text stream with every occurrence of a secret replaced, read a buffer at a time, so that a
 * log of any size is downloaded in constant memory. The last {@code secret.length() - 1} characters
 * of each buffer wait for the next one, so a secret split across two reads is still found.
 */
final class RedactingInputStream extends InputStream {
    private static final int CHUNK = 8192;
    private final Reader in;
    private final String secret;
    private final String replacement;
    private final StringBuilder pending = new StringBuilder();
    private final char[] buffer = new char[CHUNK];
    private byte[] out = new byte[0];
    private int pos;
    private boolean eof;

    RedactingInputStream(InputStream source, String secret, String replacement) {
        this.in = new InputStreamReader(source, StandardCharsets.UTF_8);
        this.secret = secret == null || secret.isEmpty() ? null : secret;
        this.replacement = replacement;
    }

    @Override
    public int read() throws IOException {
        return fill() ? out[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, out.length - pos);
        System.arraycopy(out, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean fill() throws IOException {
        while (pos >= out.length) {
            if (eof) {
                if (pending.isEmpty()) {
                    return false;
                }
                emit(pending.length());
                continue;
            }
            int n = in.read(buffer);
            if (n < 0) {
                eof = true;
                continue;
            }
            pending.append(buffer, 0, n);
            emit(Math.max(0, pending.length() - (secret == null ? 0 : secret.length() - 1)));
        }
        return true;
    }

    /** Emits pending text up to {@code upTo} (further if a secret starting before it ends after it), redacted. */
    private void emit(int upTo) {
        StringBuilder text = new StringBuilder();
        int from = 0;
        int cut = upTo;
        if (secret != null) {
            int at = pending.indexOf(secret);
            while (at >= 0 && at < upTo) {
                text.append(pending, from, at).append(replacement);
                from = at + secret.length();
                cut = Math.max(cut, from);
                at = pending.indexOf(secret, from);
            }
        }
        if (from < cut) {
            text.append(pending, from, cut);
        }
        pending.delete(0, cut);
        out = text.toString().getBytes(StandardCharsets.UTF_8);
        pos = 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
