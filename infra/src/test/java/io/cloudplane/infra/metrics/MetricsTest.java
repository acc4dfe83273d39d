package io.cloudplane.infra.metrics;

import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against the embedded PostgreSQL: a collection cycle, retention and the series read back. */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.metrics.enabled", value = "false")
class MetricsTest {
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentRuntime runtime;
    @Inject DatabaseProvisioner databases;
    @Inject EnvironmentFiles files;
    @Inject MetricsStore store;

    private EnvironmentRecord runningEnvironment() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UserRecord user = users.save(new UserRecord(UUID.randomUUID(), "m-" + UUID.randomUUID() + "@example.com", "A", "B", now));
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), user.id(), "metrics", AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        UUID id = UUID.randomUUID();
        return environments.save(new EnvironmentRecord(id, app.id(), "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.RUNNING, null, "1.1.0", null, null, EnvironmentRecord.databaseNameFor(id), null, now, now));
    }

    @Test
    void aCycleStoresDiskAsDatabasePlusResourcesForEveryRunningEnvironment() throws Exception {
        EnvironmentRecord env = runningEnvironment();
        databases.ensureDatabase(env.dbName(), UUID.randomUUID().toString().replace("-", ""));
        files.createFolders(env.id().toString());
        Files.write(files.resourcesDir(env.id().toString()).resolve("upload.bin"), new byte[123_456]);
        MetricsCollector collector = new MetricsCollector(environments, runtime, databases, files, store);
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        assertTrue(collector.collect(at) >= 1);

        long dbSize = databases.databaseSizes(List.of(env.dbName())).get(env.dbName());
        List<MetricsStore.Point> points = store.series(env.id(), at.minusSeconds(60), at.plusSeconds(60), Duration.ofSeconds(30), at);
        assertEquals(1, points.size(), points.toString());
        assertEquals(dbSize + 123_456, points.get(0).diskBytes(), "the database's size plus the resource files");
        assertNull(points.get(0).cpuPercent(), "no server runs for it here, so no CPU figure rather than a made-up one");
        databases.dropDatabase(env.dbName());
    }

    @Test
    void rawSamplesBecomeFiveMinuteAveragesAfterADayAndGoAfterThirtyDays() {
        EnvironmentRecord env = runningEnvironment();
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        Instant dayOld = Instant.parse("2026-11-22T10:00:00Z");
        store.write(List.of(
                new MetricsStore.Sample(env.id(), dayOld, 10.0, 100L, 1000L, null, null),
                new MetricsStore.Sample(env.id(), dayOld.plusSeconds(30), 30.0, 300L, 3000L, null, null),
                new MetricsStore.Sample(env.id(), Instant.parse("2026-10-20T10:00:00Z"), 50.0, 500L, 5000L, null, null),
                new MetricsStore.Sample(env.id(), now.minusSeconds(60), 70.0, 700L, 7000L, null, null)));

        store.applyRetention(now);
        store.applyRetention(now); // idempotent: nothing left to roll up twice

        List<MetricsStore.Point> older = store.series(env.id(), now.minus(Duration.ofDays(2)), now, Duration.ofMinutes(5), now);
        assertEquals(2, older.size(), older.toString());
        assertEquals(dayOld, older.get(0).at());
        assertEquals(20.0, older.get(0).cpuPercent(), 0.001, "the average of the bucket");
        assertEquals(200L, older.get(0).memoryBytes());
        assertEquals(2000L, older.get(0).diskBytes());
        assertEquals(70.0, older.get(1).cpuPercent(), 0.001, "the last day's raw sample is still there");
        List<MetricsStore.Point> recent = store.series(env.id(), now.minus(Duration.ofHours(1)), now, Duration.ofSeconds(60), now);
        assertEquals(1, recent.size());
        assertTrue(store.series(env.id(), Instant.parse("2026-10-20T00:00:00Z"), Instant.parse("2026-10-21T00:00:00Z"),
                Duration.ofMinutes(5), now).isEmpty(), "older than 30 days: gone");
    }

    @Test
    void aBucketAcrossTheCutoffIsAveragedOnceFromAllItsSamplesAndAMissingCpuDoesNotBlankIt() {
        EnvironmentRecord env = runningEnvironment();
        Instant now = Instant.parse("2026-11-23T12:02:30Z"); // a day before is in the middle of the 12:00 bucket
        Instant bucket = Instant.parse("2026-11-22T12:00:00Z");
        store.write(List.of(
                new MetricsStore.Sample(env.id(), bucket.plusSeconds(60), null, 100L, 1000L, null, null), // a first sample: no CPU yet
                new MetricsStore.Sample(env.id(), bucket.plusSeconds(240), 40.0, 300L, 3000L, 10L, 20L)));

        store.applyRetention(now);
        store.applyRetention(now.plus(Duration.ofHours(1)));

        Instant later = now.plus(Duration.ofHours(1));
        List<MetricsStore.Point> points = store.series(env.id(), bucket.minusSeconds(600), bucket.plusSeconds(600), Duration.ofMinutes(5), later);
        assertEquals(1, points.size(), points.toString());
        assertEquals(bucket, points.get(0).at());
        assertEquals(40.0, points.get(0).cpuPercent(), 0.001, "the average of the samples that have a figure");
        assertEquals(200L, points.get(0).memoryBytes(), "both samples, once each");
        assertEquals(10L, points.get(0).netInBytes());
    }

    @Test
    void oneProcessAtATimeRunsTheCollectorsCycle() {
        boolean[] nestedRan = {false};
        boolean ran = store.exclusively(() -> nestedRan[0] = store.exclusively(() -> { }));
        assertTrue(ran);
        assertEquals(false, nestedRan[0], "another session (a second worker) skips the cycle while one runs it");
        assertTrue(store.exclusively(() -> { }), "the lock is released after the cycle");
    }
}
