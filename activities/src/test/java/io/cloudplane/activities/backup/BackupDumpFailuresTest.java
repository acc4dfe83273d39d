package io.cloudplane.activities.backup;

import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.backup.DatabaseDumps;
import io.cloudplane.infra.backup.TableFingerprints;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.backup.BackupActivities;
import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * What the DUMPING step reports when the database cannot be read for a reason no retry changes
 * (DatabaseDumpsTest shows each against the embedded PostgreSQL): a non-retryable failure, so the
 * backup fails at once with the reason, instead of after three attempts that each said something else.
 */
class BackupDumpFailuresTest {
    @TempDir
    Path dataDir;

    private final UUID appId = UUID.randomUUID();
    private final UUID envId = UUID.randomUUID();
    private final UUID backupId = UUID.randomUUID();
    private final String dbName = EnvironmentRecord.databaseNameFor(envId);
    private final DatabaseDumps dumps = mock(DatabaseDumps.class);
    private TestActivityEnvironment testEnv;
    private BackupActivities activities;

    @BeforeEach
    void setUp() {
        SecretBox secrets = new SecretBox(new CloudplaneSettings(dataDir.toString()), "");
        EnvironmentRepository environments = mock(EnvironmentRepository.class);
        when(environments.findById(envId)).thenReturn(Optional.of(new EnvironmentRecord(envId, appId, "staging",
                EnvironmentRecord.EnvironmentType.STAGING, null, EnvironmentStatus.FAILED, "await-healthy: not healthy within 120s",
                "1.1.0", null, null, dbName, secrets.encrypt("Pa55word0123456789abcdef"), Instant.now(), Instant.now())));
        BackupRepository backups = mock(BackupRepository.class);
        when(backups.findById(backupId)).thenReturn(Optional.of(BackupRecord.pending(backupId, appId, envId,
                BackupRecord.Trigger.SCHEDULED, null, Instant.now(), Instant.now())));
        testEnv = TestActivityEnvironment.newInstance();
        testEnv.registerActivitiesImplementations(new BackupActivitiesImpl(backups, new EnvironmentLookup(environments),
                null, secrets, dumps, null, null, null,
                new io.cloudplane.infra.monitoring.BackupMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())));
        activities = testEnv.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    @AfterEach
    void tearDown() {
        testEnv.close();
    }

    @Test
    void anEnvironmentWhoseDatabaseIsGoneFailsAtDumpingOnceSayingSo() throws Exception {
        when(dumps.dump(anyString(), anyString(), any(), any())).thenThrow(new DatabaseDumps.MissingDatabaseException(
                dbName, false, false, new SQLException("FATAL: password authentication failed for user \"" + dbName + "\"")));
        ApplicationFailure cause = dumpFailure();
        assertEquals(FailureType.DUMPING.type(), cause.getType());
        assertTrue(cause.isNonRetryable());
        assertEquals("environment " + envId + " has no database to back up (database " + dbName
                + " and its role do not exist; the environment is FAILED: await-healthy: not healthy within 120s)",
                cause.getOriginalMessage());
        assertFalse(cause.getOriginalMessage().contains("password"), cause.getOriginalMessage());
    }

    @Test
    void aTableTheRoleMayNotReadFailsAtDumpingOnceNamingTheTable() throws Exception {
        when(dumps.dump(anyString(), anyString(), any(), any())).thenThrow(new TableFingerprints.UnreadableTableException(
                "public.audit_trail", dbName, new SQLException("ERROR: permission denied for table audit_trail", "42501")));
        ApplicationFailure cause = dumpFailure();
        assertEquals(FailureType.DUMPING.type(), cause.getType());
        assertTrue(cause.isNonRetryable());
        assertTrue(cause.getOriginalMessage().startsWith("reading database " + dbName
                + " failed: permission denied on table public.audit_trail"), cause.getOriginalMessage());
    }

    @Test
    void anyOtherDatabaseFailureIsRetried() throws Exception {
        when(dumps.dump(anyString(), anyString(), any(), any())).thenThrow(new SQLException("FATAL: too many connections"));
        ApplicationFailure cause = dumpFailure();
        assertEquals(FailureType.DUMPING.type(), cause.getType());
        assertEquals("reading database " + dbName + " failed: FATAL: too many connections", cause.getOriginalMessage());
        assertFalse(cause.isNonRetryable(), "a passing trouble: the step's three attempts apply");
    }

    private ApplicationFailure dumpFailure() {
        ActivityFailure failure = assertThrows(ActivityFailure.class, () -> activities.dumpDatabase(backupId.toString()));
        return (ApplicationFailure) failure.getCause();
    }
}
