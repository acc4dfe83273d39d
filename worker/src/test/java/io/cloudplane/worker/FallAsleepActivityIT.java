package io.cloudplane.worker;

import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.activities.sandbox.SandboxActivitiesImpl;
import io.cloudplane.api.app.AppService;
import io.cloudplane.infra.mail.OutboxMailer;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.sandbox.SandboxActivities;
import io.cloudplane.workflows.sandbox.SleepRequest;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox lifecycle's sleep activity against the real database, runtime and outbox: one
 * operation, one activity-log entry and one email however often it is retried, and a no-op on a
 * sandbox that is already asleep.
 */
@MicronautTest(transactional = false)
class FallAsleepActivityIT {
    @Inject SandboxActivitiesImpl sandboxActivities;
    @Inject UserRepository users;
    @Inject AppService apps;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject ActivityLogRepository activityLog;
    @Inject OutboxMailer outbox;
    @Inject javax.sql.DataSource dataSource;
    @Inject io.cloudplane.infra.app.AppRepository appRecords;
    @Inject io.cloudplane.infra.mail.SentMailRepository sent;

    private TestActivityEnvironment activityEnv;
    private SandboxActivities activities;

    @BeforeEach
    void setUp() {
        activityEnv = TestActivityEnvironment.newInstance();
        activityEnv.registerActivitiesImplementations(sandboxActivities);
        activities = activityEnv.newActivityStub(SandboxActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());
    }

    @AfterEach
    void tearDown() {
        activityEnv.close();
    }

    @Test
    void aRetriedSleepStopsOnceLogsOnceAndMailsOnce() throws Exception {
        UserRecord owner = owner();
        OperationRecord created = runningApp(owner);
        SleepRequest request = new SleepRequest("sleep-1", created.appId().toString(), created.envId().toString(),
                owner.id().toString(), Instant.parse("2027-03-01T00:00:00Z").toEpochMilli());

        activities.fallAsleep(request);
        activities.fallAsleep(request); // a retry after a lost completion

        assertEquals(EnvironmentStatus.SLEEPING, environments.findById(created.envId()).orElseThrow().status());
        UUID opId = UUID.nameUUIDFromBytes((created.appId() + "/sleep-1").getBytes(StandardCharsets.UTF_8));
        OperationRecord op = operations.findById(opId).orElseThrow();
        assertEquals(OperationType.SLEEP_SANDBOX, op.type());
        assertEquals(OperationStatus.SUCCEEDED, op.status(), op.toString());
        assertTrue(op.steps().contains("\"name\":\"stop-server\",\"status\":\"SUCCEEDED\""), op.steps());
        assertTrue(op.steps().contains("\"name\":\"record-sleeping\",\"status\":\"SUCCEEDED\""), op.steps());
        List<ActivityLogRecord> slept = sleptEntries(created.envId());
        assertEquals(1, slept.size(), slept.toString());
        assertEquals("SUCCEEDED", slept.get(0).outcome().name());
        assertEquals(null, slept.get(0).actorUserId(), "the system did it");
        assertEquals(1, mailsTo(owner.email()), "one email, not one per attempt");
    }

    /**
     * Found by the crash harness: the lifecycle started again after a crash keys its sleep by the access
     * time the database kept, not the lost run's, and found the environment held by the lost run's
     * unfinished sleep: busy for ever, the sandbox never slept and the operation never ended.
     */
    @Test
    void aSleepAfterACrashCarriesOnTheUnfinishedSleepOfTheLostRun() throws Exception {
        UserRecord owner = owner();
        OperationRecord created = runningApp(owner);
        UUID lost = UUID.nameUUIDFromBytes((created.appId() + "/sleep-1000").getBytes(StandardCharsets.UTF_8));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        operations.save(new OperationRecord(lost, OperationType.SLEEP_SANDBOX, OperationStatus.RUNNING, created.appId(),
                created.envId(), null, "sandbox-lifecycle/" + created.appId(), null, "[]", null, now, now));

        activities.fallAsleep(new SleepRequest("sleep-1001", created.appId().toString(), created.envId().toString(),
                owner.id().toString(), Instant.parse("2027-03-01T00:00:00Z").toEpochMilli()));

        assertEquals(EnvironmentStatus.SLEEPING, environments.findById(created.envId()).orElseThrow().status());
        assertEquals(OperationStatus.SUCCEEDED, operations.findById(lost).orElseThrow().status(), "the lost run's sleep, finished");
        assertTrue(operations.findById(UUID.nameUUIDFromBytes((created.appId() + "/sleep-1001").getBytes(StandardCharsets.UTF_8)))
                .isEmpty(), "no second sleep");
        assertEquals(1, sleptEntries(created.envId()).size());
        assertEquals(1, mailsTo(owner.email()));
    }

    /**
     * Found by the crash harness: the sleep was recorded SUCCEEDED and the all-in-one killed before its email went
     * out; the lifecycle started again found the sandbox asleep with nothing unfinished, and the email was never
     * sent. Now the email goes before the SUCCEEDED record, keyed by the operation, so the sleep stays unfinished until
     * its email is out, and the run that carries it on does not send it again.
     */
    @Test
    void aSleepKilledBetweenItsEmailAndItsRecordIsCarriedOnWithoutASecondEmail() throws Exception {
        UserRecord owner = owner();
        OperationRecord created = runningApp(owner);
        SleepRequest request = new SleepRequest("sleep-3", created.appId().toString(), created.envId().toString(),
                owner.id().toString(), Instant.parse("2027-03-01T00:00:00Z").toEpochMilli());
        activities.fallAsleep(request);
        UUID opId = UUID.nameUUIDFromBytes((created.appId() + "/sleep-3").getBytes(StandardCharsets.UTF_8));
        assertEquals(1, mailsTo(owner.email()));
        // Killed between the email and the SUCCEEDED record: the operation is still RUNNING for the next run.
        try (var c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             var st = c.prepareStatement("UPDATE operations SET status = 'RUNNING' WHERE id = ?")) {
            st.setObject(1, opId);
            st.executeUpdate();
        }

        activities.fallAsleep(new SleepRequest("sleep-4", created.appId().toString(), created.envId().toString(),
                owner.id().toString(), Instant.parse("2027-03-02T00:00:00Z").toEpochMilli()));

        assertEquals(OperationStatus.SUCCEEDED, operations.findById(opId).orElseThrow().status());
        assertEquals(1, mailsTo(owner.email()), "no second email for the same sleep");
    }

    /**
     * Found by the crash harness: a lifecycle started again mid-deletion keys its deletion by what the database
     * kept, not by the lost run's clock; it must carry on the lost run's deletion, not begin a second one.
     */
    @Test
    void aDeletionBegunAgainAfterACrashCarriesOnTheLostRunsDeletion() throws Exception {
        UserRecord owner = owner();
        OperationRecord created = runningApp(owner);
        UUID lost = UUID.nameUUIDFromBytes((created.appId() + "/delete-1000").getBytes(StandardCharsets.UTF_8));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        operations.save(new OperationRecord(lost, OperationType.DELETE_APPLICATION, OperationStatus.RUNNING, created.appId(),
                null, null, "app-delete/" + created.appId(), null, "[]", null, now, now));

        String carriedOn = activities.beginOperation("delete-2000", created.appId().toString(), null,
                OperationType.DELETE_APPLICATION, null);

        assertEquals(lost.toString(), carriedOn);
        assertTrue(operations.findById(UUID.nameUUIDFromBytes((created.appId() + "/delete-2000").getBytes(StandardCharsets.UTF_8)))
                .isEmpty(), "no second deletion");
        assertEquals(AppRecord.AppStatus.DELETING, appRecords.findById(created.appId()).orElseThrow().status());
    }

    /**
     * The "was deleted" email goes once per sandbox, whatever time the run that sends it reckons
     * (a deletion carried on by another run reckons it anew), and an older version's email, keyed by
     * its time, counts as sent.
     */
    @Test
    void theWasDeletedEmailGoesOncePerSandboxWhateverItsTime() throws Exception {
        UserRecord owner = owner();
        OperationRecord created = runningApp(owner);
        String app = created.appId().toString();
        activities.sendSandboxMail(new io.cloudplane.workflows.sandbox.SandboxMail(app, owner.id().toString(),
                io.cloudplane.workflows.sandbox.SandboxMail.Kind.DELETED, 1000));
        activities.sendSandboxMail(new io.cloudplane.workflows.sandbox.SandboxMail(app, owner.id().toString(),
                io.cloudplane.workflows.sandbox.SandboxMail.Kind.DELETED, 2000));
        assertEquals(1, mailsTo(owner.email()), "one farewell");

        UserRecord older = owner();
        OperationRecord olderApp = runningApp(older);
        sent.markSent(olderApp.appId() + "/DELETED/123456", Instant.now()); // as an older version keyed it
        activities.sendSandboxMail(new io.cloudplane.workflows.sandbox.SandboxMail(olderApp.appId().toString(), older.id().toString(),
                io.cloudplane.workflows.sandbox.SandboxMail.Kind.DELETED, 999999));
        assertEquals(0, mailsTo(older.email()), "already sent by an older version");
    }

    @Test
    void aSandboxAlreadyAsleepIsANoOpRecordedAsSuch() throws Exception {
        UserRecord owner = owner();
        OperationRecord created = runningApp(owner);
        environments.updateStatus(created.envId(), EnvironmentStatus.SLEEPING, null, Instant.now());

        activities.fallAsleep(new SleepRequest("sleep-2", created.appId().toString(), created.envId().toString(),
                owner.id().toString(), Instant.parse("2027-03-01T00:00:00Z").toEpochMilli()));

        OperationRecord op = operations.findById(UUID.nameUUIDFromBytes((created.appId() + "/sleep-2")
                .getBytes(StandardCharsets.UTF_8))).orElseThrow();
        assertEquals(OperationStatus.SUCCEEDED, op.status());
        assertTrue(op.steps().contains("\"name\":\"already-sleeping\",\"status\":\"SKIPPED\""), op.steps());
        List<ActivityLogRecord> slept = sleptEntries(created.envId());
        assertEquals(1, slept.size(), slept.toString());
        assertEquals("NO_OP", slept.get(0).outcome().name());
    }

    private UserRecord owner() {
        return users.save(new UserRecord(UUID.randomUUID(), "sleeper-" + UUID.randomUUID() + "@example.com", "S", "L",
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
    }

    /** An app whose environment is RUNNING and holds no unfinished operation; no server process is started. */
    private OperationRecord runningApp(UserRecord owner) {
        OperationRecord created = apps.createApp(owner.id(), "sleeper", AppRecord.AppKind.APPLICATION);
        operations.finish(created.id(), OperationStatus.SUCCEEDED, null, Instant.now());
        environments.updateStatus(created.envId(), EnvironmentStatus.RUNNING, null, Instant.now());
        return created;
    }

    private List<ActivityLogRecord> sleptEntries(UUID envId) {
        return activityLog.findPage(envId, Long.MAX_VALUE, 50).stream().filter(e -> e.action().equals("slept")).toList();
    }

    private long mailsTo(String email) throws Exception {
        Path dir = outbox.outbox();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".eml")).filter(f -> {
                try {
                    return Files.readString(f).contains(email);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
    }
}
