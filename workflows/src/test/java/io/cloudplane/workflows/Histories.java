package io.cloudplane.workflows;

import io.temporal.client.WorkflowClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves a finished execution's history as the replay fixture of a workflow. Run the workflow tests
 * with {@code -Dcloudplane.saveHistories=true} to write them again after a deliberate change of
 * workflow code that is behind {@code Workflow.getVersion}, keeping the old files as well.
 */
public final class Histories {
    private Histories() {
    }

    public static void saveIfAsked(WorkflowClient client, String workflowId, String workflowName, String fileName) {
        saveIfAsked(client, workflowId, null, workflowName, fileName);
    }

    /** {@code runId} picks one run of a workflow that continued as new; null is the latest run. */
    public static void saveIfAsked(WorkflowClient client, String workflowId, String runId, String workflowName, String fileName) {
        if (!Boolean.getBoolean("cloudplane.saveHistories")) {
            return;
        }
        String json = (runId == null ? client.fetchHistory(workflowId) : client.fetchHistory(workflowId, runId)).toJson(true);
        Path dir = Path.of("src/test/resources/histories", workflowName);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(fileName), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
