package io.cloudplane.infra.backup;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client tool run as a child process, its password in the environment (never on the command
 * line), its standard error kept (the last 8 KiB) for the failure message.
 */
public final class ToolProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread stderrReader;

    public ToolProcess(List<String> command, Map<String, String> environment) {
        this.name = java.nio.file.Path.of(command.get(0)).getFileName().toString();
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        try {
            this.process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(name + " could not be started: " + e.getMessage(), e);
        }
        this.stderrReader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (InputStream err = process.getErrorStream()) {
                int n;
                while ((n = err.read(buffer)) > 0) {
                    synchronized (stderr) {
                        if (stderr.size() < 8192) {
                            stderr.write(buffer, 0, Math.min(n, 8192 - stderr.size()));
                        }
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }, name + "-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /**
     * The tool's standard output. At its end the tool's exit status is checked: a failed tool makes
     * the stream fail, so that whatever consumes it (an upload) fails too, instead of storing a
     * truncated file as if it were whole.
     */
    public InputStream stdout() {
        return new FilterInputStream(process.getInputStream()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    checkExit();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    checkExit();
                }
                return n;
            }
        };
    }

    public java.io.OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Waits for the tool to end and fails with its error output unless it succeeded. */
    public void checkExit() throws IOException {
        checkExit(() -> { });
    }

    /** As {@link #checkExit()}, calling {@code tick} every few seconds while it waits (to heartbeat). */
    public void checkExit(Runnable tick) throws IOException {
        try {
            while (!process.waitFor(5, TimeUnit.SECONDS)) {
                tick.run();
            }
            stderrReader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + name, e);
        }
        if (process.exitValue() != 0) {
            throw new ToolFailedException(name + " failed (exit " + process.exitValue() + "): " + errorOutput());
        }
    }

    public String errorOutput() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8).trim();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** The tool itself failed (as opposed to the storage its output went to). */
    public static class ToolFailedException extends IOException {
        public ToolFailedException(String message) {
            super(message);
        }
    }
}
