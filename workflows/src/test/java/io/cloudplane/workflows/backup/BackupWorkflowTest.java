package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.Histories;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

/** The backup's honest status: COMPLETED only after a verified restore, and a failure names its step and leaves nothing. */
class BackupWorkflowTest {
    private static final String ID = "b1";
    private static final DumpResult DUMP = new DumpResult(1000, "aa", "PostgreSQL 15.19",
            Map.of("public.items", new DumpResult.TableFingerprint(3, "12345")));
    private static final FilesResult FILES = new FilesResult(2048, "bb", 2);

    private final BackupActivities activities = mock(BackupActivities.class, withSettings().withoutAnnotations());

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(BackupWorkflowImpl.class)
            .setActivityImplementations(activities)
            .build();

    private BackupWorkflow stub(WorkflowClient client, Worker worker) {
        return client.newWorkflowStub(BackupWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId("backup/" + ID).setTaskQueue(worker.getTaskQueue()).build());
    }

    private static BackupRequest request() {
        return new BackupRequest(ID, "a1", "e1", new Retention(7, 30));
    }

    @Test
    void aVerifiedBackupCompletesThenRetentionRuns(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        when(activities.dumpDatabase(ID)).thenReturn(DUMP);
        when(activities.archiveFiles(ID)).thenReturn(FILES);
        when(activities.writeManifest(ID, DUMP, FILES)).thenReturn(3500L);
        when(activities.verify(ID)).thenReturn(new VerifyResult(true, "1 table, 3 rows match"));
        stub(client, worker).backup(request());
        InOrder order = inOrder(activities);
        order.verify(activities).dumpDatabase(ID);
        order.verify(activities).archiveFiles(ID);
        order.verify(activities).writeManifest(ID, DUMP, FILES);
        order.verify(activities).verify(ID);
        order.verify(activities).complete(ID, "1 table, 3 rows match");
        order.verify(activities).applyRetention("e1", new Retention(7, 30));
        verify(activities, never()).fail(anyString(), any(), anyString(), anyBoolean());
        verify(activities, never()).deleteObjects(anyString());
        // A new file name: completed.json is a run from before change cancellable-backup and stays as it is.
        Histories.saveIfAsked(client, "backup/" + ID, "BackupWorkflow", "completed-cancellable.json");
    }

    @Test
    void anUploadFailureEndsFailedAtUploadingAndDeletesWhatWasStored(TestWorkflowEnvironment env, WorkflowClient client,
                                                                    Worker worker) {
        when(activities.dumpDatabase(ID)).thenReturn(DUMP);
        when(activities.archiveFiles(ID)).thenThrow(ApplicationFailure.newFailure("connection refused", "UPLOADING"));
        assertThrows(WorkflowFailedException.class, () -> stub(client, worker).backup(request()));
        verify(activities, times(3)).archiveFiles(ID); // a few attempts, then an honest failure
        verify(activities).fail(eq(ID), eq(BackupStep.UPLOADING), contains("connection refused"), eq(false));
        verify(activities).deleteObjects(ID);
        verify(activities, never()).complete(anyString(), anyString());
        verify(activities, never()).applyRetention(anyString(), any());
        Histories.saveIfAsked(client, "backup/" + ID, "BackupWorkflow", "failed-upload.json");
    }

    @Test
    void aStorageFailureDuringTheDumpIsAnUploadFailureAndAPgDumpFailureADumpFailure(TestWorkflowEnvironment env,
                                                                                    WorkflowClient client, Worker worker) {
        when(activities.dumpDatabase(ID)).thenThrow(ApplicationFailure.newFailure("S3 is gone", "UPLOADING"));
        assertThrows(WorkflowFailedException.class, () -> stub(client, worker).backup(request()));
        verify(activities).fail(eq(ID), eq(BackupStep.UPLOADING), contains("S3 is gone"), eq(false));

        BackupActivities second = activities;
        org.mockito.Mockito.reset(second);
        when(second.dumpDatabase("b2")).thenThrow(ApplicationFailure.newNonRetryableFailure(
                "pg_dump is version 15 but the database server is PostgreSQL 16", "DUMPING"));
        BackupWorkflow other = client.newWorkflowStub(BackupWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId("backup/b2").setTaskQueue(worker.getTaskQueue()).build());
        assertThrows(WorkflowFailedException.class, () -> other.backup(new BackupRequest("b2", "a1", "e1", Retention.DEFAULT)));
        verify(second, times(1)).dumpDatabase("b2"); // a tool too old is not retried
        verify(second).fail(eq("b2"), eq(BackupStep.DUMPING), contains("PostgreSQL 16"), eq(false));
        verify(second).deleteObjects("b2");
    }

    @Test
    void aFailedVerificationIsAFailedBackupNotAGoodOne(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        when(activities.dumpDatabase(ID)).thenReturn(DUMP);
        when(activities.archiveFiles(ID)).thenReturn(FILES);
        when(activities.verify(ID)).thenReturn(new VerifyResult(false, "public.items: 2 rows restored, 3 dumped"));
        assertThrows(WorkflowFailedException.class, () -> stub(client, worker).backup(request()));
        verify(activities).fail(eq(ID), eq(BackupStep.VERIFYING), contains("2 rows restored"), eq(true));
        verify(activities).deleteObjects(ID);
        verify(activities, never()).complete(anyString(), anyString());
        verify(activities, never()).applyRetention(anyString(), any());
    }

    @Test
    void theCleanUpIsRetriedUntilObjectStorageAnswers(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        when(activities.dumpDatabase(ID)).thenThrow(ApplicationFailure.newFailure("S3 is gone", "UPLOADING"));
        AtomicInteger attempts = new AtomicInteger();
        doAnswer(inv -> {
            if (attempts.incrementAndGet() < 6) {
                throw new IllegalStateException("S3 still down");
            }
            return null;
        }).when(activities).deleteObjects(ID);
        assertThrows(WorkflowFailedException.class, () -> stub(client, worker).backup(request()));
        verify(activities, times(6)).deleteObjects(ID);
        verify(activities).fail(eq(ID), eq(BackupStep.UPLOADING), anyString(), eq(false));
    }

    @Test
    void aCancelWhileTheFilesUploadWaitsForThemThenFailsTheBackupSayingSoAndDeletesWhatWasStored(
            TestWorkflowEnvironment env, WorkflowClient client, Worker worker) throws Exception {
        java.util.concurrent.CountDownLatch uploading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        when(activities.dumpDatabase(ID)).thenReturn(DUMP);
        when(activities.archiveFiles(ID)).thenAnswer(inv -> {
            uploading.countDown();
            assertTrue(release.await(30, java.util.concurrent.TimeUnit.SECONDS));
            return FILES;
        });
        WorkflowClient.start(stub(client, worker)::backup, request());
        assertTrue(uploading.await(30, java.util.concurrent.TimeUnit.SECONDS));
        var untyped = client.newUntypedWorkflowStub("backup/" + ID);
        untyped.cancel();
        release.countDown();

        WorkflowFailedException ended = assertThrows(WorkflowFailedException.class, () -> untyped.getResult(Void.class));
        assertTrue(ended.getCause() instanceof io.temporal.failure.CanceledFailure, String.valueOf(ended.getCause()));
        InOrder order = inOrder(activities);
        order.verify(activities).archiveFiles(ID);
        order.verify(activities).fail(ID, BackupStep.UPLOADING, BackupWorkflowImpl.CANCELLED, false);
        order.verify(activities).deleteObjects(ID);
        verify(activities, never()).writeManifest(anyString(), any(), any());
        verify(activities, never()).verify(anyString());
        verify(activities, never()).complete(anyString(), anyString());
        verify(activities, never()).applyRetention(anyString(), any());
        Histories.saveIfAsked(client, "backup/" + ID, "BackupWorkflow", "cancelled.json");
    }
}
