package io.cloudplane.infra.backup;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's client tools, {@code pg_dump} and {@code pg_restore}, from
 * {@code cloudplane.backup.pg-bin-dir} ({@code CLOUDPLANE_BACKUP_PG_BIN_DIR}) or the PATH. A tool
 * older than the server cannot read it: that is checked before any work, with both versions named.
 */
@Singleton
public class PgTools {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");
    private final String binDir;

    @Inject
    public PgTools(BackupSettings settings) {
        this(settings.pgBinDir());
    }

    public PgTools(String binDir) {
        this.binDir = binDir;
    }

    public String pgDump() {
        return tool("pg_dump");
    }

    public String pgRestore() {
        return tool("pg_restore");
    }

    private String tool(String name) {
        return binDir == null || binDir.isBlank() ? name : Path.of(binDir, name).toString();
    }

    /** The major version a tool reports ({@code pg_dump (PostgreSQL) 15.18} is 15). */
    public int majorVersion(String tool) {
        String output;
        try {
            Process p = new ProcessBuilder(List.of(tool, "--version")).redirectErrorStream(true).start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(tool + " was not found: install PostgreSQL's client tools, or set "
                    + "CLOUDPLANE_BACKUP_PG_BIN_DIR to the folder that holds them (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("Cannot read the version of " + tool + ": " + output);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Fails, naming both versions, when {@code tool} is older than the server it must read or write. */
    public void requireAtLeast(String tool, int serverMajor) {
        int toolMajor = majorVersion(tool);
        if (toolMajor < serverMajor) {
            throw new ToolTooOldException(Path.of(tool).getFileName() + " is version " + toolMajor
                    + " but the database server is PostgreSQL " + serverMajor + ": install client tools of version "
                    + serverMajor + " or newer and point CLOUDPLANE_BACKUP_PG_BIN_DIR at them");
        }
    }

    /** The client tools are older than the server. Not retryable: nothing changes until someone installs newer tools. */
    public static class ToolTooOldException extends IllegalStateException {
        public ToolTooOldException(String message) {
            super(message);
        }
    }
}
