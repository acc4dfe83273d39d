package io.cloudplane.infra.runtime;

import io.cloudplane.infra.files.EnvironmentFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The log of each environment's local server: {@code run/server.log}, to which the process appends
 * its standard output and error, and {@code run/server.log.1}, its rotated copy. Read as one: the
 * last lines, the whole, or a short tail for error messages.
 */
final class ServerLogs {
    /** How much of the log's end an error message quotes. */
    private static final int RECENT_BYTES = 2048;
    private final EnvironmentFiles files;
    private volatile long maxBytes = 10L * 1024 * 1024;

    ServerLogs(EnvironmentFiles files) {
        this.files = files;
    }

    /** A log larger than this is rotated. */
    void setMaxBytes(long bytes) {
        this.maxBytes = bytes;
    }

    /** Where the server's output goes. */
    Path file(String envId) {
        return files.runDir(envId).resolve("server.log");
    }

    private Path rotatedFile(String envId) {
        return files.runDir(envId).resolve("server.log.1");
    }

    /** The last whole lines of the log's last 2 KiB, for error messages; "" without a log. */
    String recentOutput(String envId) {
        Path log = file(envId);
        if (!Files.exists(log)) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - RECENT_BYTES);
            byte[] tail = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            if (from > 0) {
                // The first line is cut: half a secret in it would escape redaction, which matches whole values.
                int newline = text.indexOf('\n');
                text = newline < 0 ? "" : text.substring(newline + 1);
            }
            return text.strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code lines} lines, across the rotated copy and the log, oldest first. */
    List<String> tail(String envId, int lines) {
        ArrayDeque<String> last = new ArrayDeque<>(lines + 1);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(open(envId), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                last.addLast(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(last);
    }

    /** The rotated copy, then the log, as one stream; the caller closes it. */
    InputStream open(String envId) {
        List<InputStream> parts = new ArrayList<>();
        try {
            for (Path part : List.of(rotatedFile(envId), file(envId))) {
                if (Files.exists(part)) {
                    parts.add(Files.newInputStream(part));
                }
            }
        } catch (IOException e) {
            parts.forEach(p -> {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // closing what was opened
                }
            });
            throw new UncheckedIOException(e);
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    /**
     * A log larger than the maximum is copied to {@code server.log.1} (replacing the older copy) and
     * truncated. The server writes in append mode, so it goes on at the new end (logrotate's
     * copytruncate).
     */
    void rotateIfLarge(String envId) throws IOException {
        Path log = file(envId);
        if (Files.exists(log) && Files.size(log) > maxBytes) {
            Files.copy(log, rotatedFile(envId), StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
        }
    }
}
