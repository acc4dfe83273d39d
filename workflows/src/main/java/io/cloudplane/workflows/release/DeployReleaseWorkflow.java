package io.cloudplane.workflows.release;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code deploy/<deploymentId>}: safety backup (environments with backups), artifact downloaded and
 * its digest checked, server stopped (DEPLOYING), code swapped, server started, health checked. A
 * failure after the swap puts the previous code back (and the data, from the safety backup, if the
 * new server ran), and the deployment is FAILED with the reason: never reported as a success.
 */
@WorkflowInterface
public interface DeployReleaseWorkflow {
    @WorkflowMethod
    DeployResult deploy(DeployRequest request);
}
