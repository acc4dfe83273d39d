package io.cloudplane.api.backup;

import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.workflows.backup.BackupRequest;
import io.cloudplane.workflows.backup.BackupWorkflow;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts {@code backup/<backupId>} for a backup row; a repeated start of the same backup is a no-op. */
@Singleton
public class BackupLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(BackupLauncher.class);
    private final WorkflowClient client;
    private final BackupRepository backups;
    private final WorkflowStarts starts;

    public BackupLauncher(WorkflowClient client, BackupRepository backups, WorkflowStarts starts) {
        this.client = client;
        this.starts = starts;
        this.backups = backups;
    }

    public static String workflowId(BackupRecord backup) {
        return io.cloudplane.workflows.common.WorkflowIds.backup(backup.id().toString());
    }

    /**
     * Asks the backup's workflow to cancel (change {@code cancellable-backup}): between steps it stops, marks the
     * backup FAILED saying it was cancelled and deletes what it stored. A safety backup is part of a restore or a
     * deployment and is not cancelled on its own; a finished one has nothing to stop.
     */
    public void cancel(BackupRecord backup) {
        if (backup.status().isFinal()) {
            throw io.cloudplane.api.problem.ApiException.conflict("Backup " + backup.id() + " has already ended ("
                    + backup.status() + "): there is nothing to cancel");
        }
        if (backup.trigger() == BackupRecord.Trigger.SAFETY) {
            throw io.cloudplane.api.problem.ApiException.conflict("A safety backup cannot be cancelled on its own: it is part of "
                    + "a restore or a deployment, which would fail without it");
        }
        try {
            client.newUntypedWorkflowStub(workflowId(backup)).cancel();
        } catch (io.temporal.client.WorkflowNotFoundException notRunning) {
            throw io.cloudplane.api.problem.ApiException.conflict("Backup " + backup.id() + " has no running workflow to cancel: it has "
                    + "not started yet, or it has just ended. Try again in a few seconds");
        }
    }

    /** Returns false when Temporal could not be reached; the backup stays PENDING until relaunched. */
    public boolean launch(BackupRecord backup, Retention retention) {
        BackupWorkflow workflow = client.newWorkflowStub(BackupWorkflow.class,
                starts.options(workflowId(backup), WorkflowTags.of(backup.appId(), backup.envId(), backup.requestedBy())));
        try {
            WorkflowClient.start(workflow::backup, new BackupRequest(backup.id().toString(), backup.appId().toString(),
                    backup.envId().toString(), retention));
            return true;
        } catch (WorkflowExecutionAlreadyStarted e) {
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Could not start the workflow of backup {} yet: {}", backup.id(), e.getMessage());
            return false;
        }
    }
}
