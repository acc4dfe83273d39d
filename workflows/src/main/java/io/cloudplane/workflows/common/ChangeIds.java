package io.cloudplane.workflows.common;

/**
 * Change IDs for {@code Workflow.getVersion}. Every change to the logic of a workflow that may have
 * running executions goes behind one of these, and the saved histories under
 * src/test/resources/histories keep replaying.
 */
public final class ChangeIds {
    private ChangeIds() {
    }
}
