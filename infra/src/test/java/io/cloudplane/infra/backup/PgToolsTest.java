package io.cloudplane.infra.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client tools older than the server are refused before any work, with both versions named. */
class PgToolsTest {
    @TempDir
    Path bin;

    private void fakeTool(String name, String version) throws Exception {
        Path tool = bin.resolve(name);
        Files.writeString(tool, "#!/bin/sh\necho '" + name + " (PostgreSQL) " + version + "'\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aToolOlderThanTheServerIsRefusedNamingBothVersions() throws Exception {
        fakeTool("pg_dump", "14.11 (Debian 14.11-1)");
        PgTools tools = new PgTools(bin.toString());
        assertEquals(14, tools.majorVersion(tools.pgDump()));
        PgTools.ToolTooOldException e = assertThrows(PgTools.ToolTooOldException.class, () -> tools.requireAtLeast(tools.pgDump(), 16));
        assertTrue(e.getMessage().contains("pg_dump is version 14") && e.getMessage().contains("PostgreSQL 16"), e.getMessage());
        tools.requireAtLeast(tools.pgDump(), 14); // same major: fine
    }

    @Test
    void aNewerToolIsAcceptedAndAMissingOneExplained() throws Exception {
        fakeTool("pg_restore", "17.2");
        PgTools tools = new PgTools(bin.toString());
        tools.requireAtLeast(tools.pgRestore(), 15);
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> tools.majorVersion(tools.pgDump()));
        assertTrue(missing.getMessage().contains("CLOUDPLANE_BACKUP_PG_BIN_DIR"), missing.getMessage());
    }

    @Test
    void theMachinesOwnToolsReadTheEmbeddedServer() {
        PgTools tools = new PgTools("");
        assertTrue(tools.majorVersion(tools.pgDump()) >= 15, "pg_dump on the PATH is at least the embedded PostgreSQL 15");
    }
}
