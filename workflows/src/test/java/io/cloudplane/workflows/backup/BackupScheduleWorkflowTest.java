package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.Histories;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

/** The backup schedule in skipped time: slots at the exact GMT instants, changes from the next slot, pause and resume. */
class BackupScheduleWorkflowTest {
    /** Monday 2027-03-01, 10:00 GMT. */
    private static final Instant START = Instant.parse("2027-03-01T10:00:00Z");
    private static final String ID = "backup-schedule/e1";

    private final BackupScheduleActivities slots = mock(BackupScheduleActivities.class, withSettings().withoutAnnotations());
    private final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
    private final List<Instant> fired = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(BackupScheduleWorkflowImpl.class, BackupWorkflowImpl.class)
            .setActivityImplementations(slots, backups)
            .setInitialTime(START)
            .setDoNotStart(true)
            .build();

    private BackupScheduleWorkflow start(TestWorkflowEnvironment env, WorkflowClient client, Worker worker, BackupSchedule schedule) {
        doAnswer(inv -> {
            long slot = inv.getArgument(2);
            fired.add(Instant.ofEpochMilli(slot));
            return "b-" + slot;
        }).when(slots).createScheduledBackup(anyString(), anyString(), anyLong());
        when(backups.dumpDatabase(anyString())).thenReturn(new DumpResult(1, "a", "PostgreSQL 15", Map.of()));
        when(backups.archiveFiles(anyString())).thenReturn(new FilesResult(1, "b", 0));
        when(backups.verify(anyString())).thenReturn(new VerifyResult(true, "ok"));
        env.start();
        BackupScheduleWorkflow stub = client.newWorkflowStub(BackupScheduleWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(ID).setTaskQueue(worker.getTaskQueue()).build());
        WorkflowClient.start(stub::run, new BackupScheduleInput("a1", "e1", schedule, null));
        return client.newWorkflowStub(BackupScheduleWorkflow.class, ID);
    }

    @Test
    void dailyAtTwoGmtFiresAtExactlyThoseInstantsOverSeveralDays(TestWorkflowEnvironment env, WorkflowClient client,
                                                                 Worker worker) throws Exception {
        BackupScheduleWorkflow schedule = start(env, client, worker, BackupSchedule.defaults());
        assertEquals(Instant.parse("2027-03-02T02:00:00Z").toEpochMilli(), schedule.view().nextSlot());
        env.sleep(Duration.ofHours(16).minusMinutes(1)); // 01:59 on the 2nd
        assertEquals(List.of(), fired);
        env.sleep(Duration.ofDays(3));
        await("three slots").until(() -> fired.size() == 3);
        assertEquals(List.of(Instant.parse("2027-03-02T02:00:00Z"), Instant.parse("2027-03-03T02:00:00Z"),
                Instant.parse("2027-03-04T02:00:00Z")), fired);
        // The run that handled the third slot: its wait, its child backup, and its continue-as-new.
        await("the fourth run waiting").until(() -> !client.fetchHistory(ID).getHistory().getEvents(0)
                .getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId().isEmpty());
        String slotRun = client.fetchHistory(ID).getHistory().getEvents(0).getWorkflowExecutionStartedEventAttributes()
                .getContinuedExecutionRunId();
        Histories.saveIfAsked(client, ID, slotRun, "BackupScheduleWorkflow", "daily-slot.json");
    }

    @Test
    void weeklyFiresOnItsDay(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) throws Exception {
        start(env, client, worker, new BackupSchedule(ScheduleFrequency.WEEKLY, "SATURDAY", "23:30", 4, 60, false));
        env.sleep(Duration.ofDays(15));
        await("two Saturdays").until(() -> fired.size() == 2);
        assertEquals(List.of(Instant.parse("2027-03-06T23:30:00Z"), Instant.parse("2027-03-13T23:30:00Z")), fired);
    }

    @Test
    void aChangeTakesEffectFromTheNextSlotAndABadOneIsRefused(TestWorkflowEnvironment env, WorkflowClient client,
                                                             Worker worker) throws Exception {
        BackupScheduleWorkflow schedule = start(env, client, worker, BackupSchedule.defaults());
        env.sleep(Duration.ofDays(1)); // past the 02:00 slot of the 2nd
        await("the first slot").until(() -> fired.size() == 1);
        var view = schedule.update(new BackupSchedule(ScheduleFrequency.DAILY, null, "14:15", 7, 30, false));
        assertEquals(Instant.parse("2027-03-02T14:15:00Z").toEpochMilli(), view.nextSlot());
        assertThrows(WorkflowUpdateException.class,
                () -> schedule.update(new BackupSchedule(null, null, "25:00", 0, 30, false)));
        assertEquals("14:15", schedule.view().schedule().time(), "a refused change changes nothing");
        env.sleep(Duration.ofDays(1).plusHours(5)); // to 15:00 on the 3rd
        await("the new slots").until(() -> fired.size() == 3);
        assertEquals(List.of(Instant.parse("2027-03-02T02:00:00Z"), Instant.parse("2027-03-02T14:15:00Z"),
                Instant.parse("2027-03-03T14:15:00Z")), fired);
    }

    @Test
    void aPausedScheduleDoesNotFireThenResumes(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
            throws Exception {
        BackupScheduleWorkflow schedule = start(env, client, worker,
                new BackupSchedule(ScheduleFrequency.DAILY, null, "02:00", 7, 30, true));
        assertNull(schedule.view().nextSlot());
        env.sleep(Duration.ofDays(3));
        assertEquals(List.of(), fired);
        schedule.update(new BackupSchedule(ScheduleFrequency.DAILY, null, "02:00", 7, 30, false));
        env.sleep(Duration.ofDays(1));
        await("resumed").until(() -> fired.size() == 1);
        assertEquals(Instant.parse("2027-03-05T02:00:00Z"), fired.get(0));
        assertTrue(fired.stream().allMatch(i -> i.isAfter(START.plus(Duration.ofDays(3)))));
    }
}
