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
