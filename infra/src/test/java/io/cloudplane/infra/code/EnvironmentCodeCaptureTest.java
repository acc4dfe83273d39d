package io.cloudplane.infra.code;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.storage.ObjectStore;
import java.util.Optional;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** {@link EnvironmentCode#captureTree}: the code as SFTP left it in place becomes the stored code (embedded PostgreSQL and S3). */
@MicronautTest(transactional = false)
class EnvironmentCodeCaptureTest {
    @Inject EnvironmentCode code;
    @Inject EnvironmentFiles files;
    @Inject ObjectStore store;
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject EnvironmentRepository environments;
    @TempDir Path dir;

    @Test
    void aTreeChangedInPlaceIsPackedOnceOnTheSameTree() throws IOException {
        EnvironmentRecord env = environment();
        EnvironmentCodeRecord uploaded = upload(env, Map.of("index.php", "<?php echo 1;", "lib/a.txt", "one"));
        assertEquals(Optional.of(uploaded), code.captureTree(env.appId(), env.id()), "nothing changed: the record stays");

        Path live = files.codeDir(env.id().toString());
        Files.writeString(live.resolve("lib/a.txt"), "two");
        Files.createDirectories(live.resolve("new/dir"));
        Files.writeString(live.resolve("new/dir/b.txt"), "put by sftp");
        Files.delete(live.resolve("index.php"));
        environments.markCodeChanged(env.id(), Instant.now().truncatedTo(ChronoUnit.MICROS));

        EnvironmentCodeRecord captured = code.captureTree(env.appId(), env.id()).orElseThrow();
        assertEquals(uploaded.tree(), captured.tree(), "the same tree: nothing unpacked");
        assertEquals(uploaded.tree(), files.currentCodeTree(env.id().toString()));
        assertNotEquals(uploaded.sha256(), captured.sha256());
        assertEquals(EnvironmentCodeRecord.keyFor(env.appId(), env.id(), captured.sha256()), captured.objectKey());
        assertEquals(Optional.of(captured), code.current(env.id()));
        assertEquals(Map.of("lib/a.txt", "two", "new/dir/b.txt", "put by sftp"), unpacked(captured), "the archive holds the live tree");
        assertTrue(store.head(uploaded.objectKey()).isEmpty(), "the replaced object is removed");

        // A retry (or the next release) finds nothing newer: no second archive, the same record.
        assertEquals(Optional.of(captured), code.captureTree(env.appId(), env.id()));
        assertEquals(List.of(captured.objectKey()), store.list(EnvironmentCodeRecord.prefixFor(env.appId(), env.id())).stream()
                .map(ObjectStore.StoredObject::key).toList());

        // A later change is packed again.
        Files.writeString(live.resolve("lib/a.txt"), "three");
        environments.markCodeChanged(env.id(), Instant.now().plusMillis(5).truncatedTo(ChronoUnit.MICROS));
        EnvironmentCodeRecord again = code.captureTree(env.appId(), env.id()).orElseThrow();
        assertEquals("three", unpacked(again).get("lib/a.txt"));
        assertEquals(1, store.list(EnvironmentCodeRecord.prefixFor(env.appId(), env.id())).size());
    }

    @Test
    void filesPutIntoAnEnvironmentWithoutCodeBecomeItsCodeAndAnEmptyTreeStaysWithout() throws IOException {
        EnvironmentRecord env = environment();
        files.createFolders(env.id().toString());
        assertEquals(Optional.empty(), code.captureTree(env.appId(), env.id()), "an empty tree is no code");
        Files.writeString(files.codeDir(env.id().toString()).resolve("index.html"), "<p>by sftp</p>");
        environments.markCodeChanged(env.id(), Instant.now().truncatedTo(ChronoUnit.MICROS));
        EnvironmentCodeRecord captured = code.captureTree(env.appId(), env.id()).orElseThrow();
        assertEquals(Map.of("index.html", "<p>by sftp</p>"), unpacked(captured));
        assertEquals(files.currentCodeTree(env.id().toString()), captured.tree());
        assertEquals(Optional.of(captured), code.captureTree(env.appId(), env.id()));

        EnvironmentRecord unmarked = environment();
        files.createFolders(unmarked.id().toString());
        Files.writeString(files.codeDir(unmarked.id().toString()).resolve("a.txt"), "there before any record");
        assertEquals(Map.of("a.txt", "there before any record"), unpacked(code.captureTree(unmarked.appId(), unmarked.id()).orElseThrow()),
                "no record but files: packed even without a mark");
    }

    private Map<String, String> unpacked(EnvironmentCodeRecord record) throws IOException {
        Path target = Files.createDirectories(dir.resolve(UUID.randomUUID().toString()));
        try (var in = code.open(record)) {
            assertEquals(record.sha256(), CodeArchives.extractTarGz(in, target, new CodeArchives.Limits(1 << 20, 100, 1 << 20)));
        }
        Map<String, String> contents = new java.util.TreeMap<>();
        try (var walk = Files.walk(target)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                contents.put(target.relativize(p).toString(), Files.readString(p));
            }
        }
        return contents;
    }

    private EnvironmentCodeRecord upload(EnvironmentRecord env, Map<String, String> contents) throws IOException {
        Path zip = dir.resolve(UUID.randomUUID() + ".zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (var file : contents.entrySet()) {
                z.putNextEntry(new ZipEntry(file.getKey()));
                z.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return code.upload(env.appId(), env.id(), zip, null);
    }

    private EnvironmentRecord environment() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "capture-" + UUID.randomUUID() + "@example.com", "Ada", "Lovelace", now));
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), owner.id(), "capture-" + UUID.randomUUID(), AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        UUID id = UUID.randomUUID();
        return environments.save(new EnvironmentRecord(id, app.id(), "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.RUNNING, null, "1.1.0", null, null, EnvironmentRecord.databaseNameFor(id), null, now, now));
    }
}
