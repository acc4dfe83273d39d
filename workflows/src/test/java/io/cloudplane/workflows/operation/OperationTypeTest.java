package io.cloudplane.workflows.operation;

import io.cloudplane.workflows.app.CloneRequest;
import io.cloudplane.workflows.app.DeleteApplicationRequest;
import io.cloudplane.workflows.common.WorkflowImplementations;
import io.cloudplane.workflows.environment.DeleteEnvironmentRequest;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.environment.ProvisionRequest;
import io.cloudplane.workflows.release.CreateReleaseRequest;
import io.cloudplane.workflows.server.ServerActionRequest;
import io.cloudplane.workflows.server.StopServerWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperationTypeTest {
    private static final OperationRef REF = new OperationRef("op1", "app1", "env1");

    @Test
    void workflowIdsAreTheBusinessKeysOperatorsKnow() {
        Map<OperationType, String> expected = Map.ofEntries(
                Map.entry(OperationType.PROVISION_ENVIRONMENT, "env-provision/env1"),
                Map.entry(OperationType.DELETE_ENVIRONMENT, "env-delete/env1"),
                Map.entry(OperationType.DELETE_APPLICATION, "app-delete/app1"),
                Map.entry(OperationType.STOP_SERVER, "env-stop/env1"),
                Map.entry(OperationType.START_SERVER, "env-start/env1"),
                Map.entry(OperationType.RESTART_SERVER, "env-restart/env1"),
                Map.entry(OperationType.SLEEP_SANDBOX, "env-stop/env1"),
                Map.entry(OperationType.WAKE_SANDBOX, "env-start/env1"),
                Map.entry(OperationType.RESTORE_ENVIRONMENT, "restore/op1"),
                Map.entry(OperationType.CREATE_RELEASE, "release-create/op1"),
                Map.entry(OperationType.DEPLOY_RELEASE, "deploy/op1"),
                Map.entry(OperationType.CLONE_APPLICATION, "app-clone/app1"),
                Map.entry(OperationType.UPDATE_SERVER, "env-update/env1"));
        assertEquals(EnumSet.allOf(OperationType.class), EnumSet.copyOf(expected.keySet()));
        expected.forEach((type, id) -> assertEquals(id, type.workflowId(REF), type.name()));
    }

    @Test
    void eachKindHasTheActivityLogLabelUsersSee() {
        Map<OperationType, String> expected = Map.ofEntries(
                Map.entry(OperationType.PROVISION_ENVIRONMENT, "created"),
                Map.entry(OperationType.DELETE_ENVIRONMENT, "deleted"),
                Map.entry(OperationType.DELETE_APPLICATION, "deleted"),
                Map.entry(OperationType.STOP_SERVER, "stopped"),
                Map.entry(OperationType.START_SERVER, "started"),
                Map.entry(OperationType.RESTART_SERVER, "restarted"),
                Map.entry(OperationType.SLEEP_SANDBOX, "slept"),
                Map.entry(OperationType.WAKE_SANDBOX, "woke"),
                Map.entry(OperationType.RESTORE_ENVIRONMENT, "restored"),
                Map.entry(OperationType.CREATE_RELEASE, "released"),
                Map.entry(OperationType.DEPLOY_RELEASE, "deployed"),
                Map.entry(OperationType.CLONE_APPLICATION, "created by cloning"),
                Map.entry(OperationType.UPDATE_SERVER, "updated"));
        assertEquals(EnumSet.allOf(OperationType.class), EnumSet.copyOf(expected.keySet()));
        expected.forEach((type, label) -> assertEquals(label, type.activityLabel(), type.name()));
    }

    @Test
    void requestsMadeOfTheOperationsIds() {
        assertEquals(new ProvisionRequest("op1", "app1", "env1"), OperationType.PROVISION_ENVIRONMENT.workflow().request(REF));
        assertEquals(new DeleteEnvironmentRequest("op1", "app1", "env1"), OperationType.DELETE_ENVIRONMENT.workflow().request(REF));
        assertEquals(new DeleteApplicationRequest("op1", "app1", null), OperationType.DELETE_APPLICATION.workflow().request(REF));
        ServerActionRequest plain = new ServerActionRequest("op1", "app1", "env1", null);
        assertEquals(plain, OperationType.STOP_SERVER.workflow().request(REF));
        assertEquals(plain, OperationType.START_SERVER.workflow().request(REF));
        assertEquals(plain, OperationType.RESTART_SERVER.workflow().request(REF));
        assertEquals(plain, OperationType.WAKE_SANDBOX.workflow().request(REF));
        assertEquals(new ServerActionRequest("op1", "app1", "env1", EnvironmentStatus.SLEEPING),
                OperationType.SLEEP_SANDBOX.workflow().request(REF));
        assertEquals(new CreateReleaseRequest("op1", "app1", "op1"), OperationType.CREATE_RELEASE.workflow().request(REF));
        assertEquals(new CloneRequest("op1", "app1", "env1"), OperationType.CLONE_APPLICATION.workflow().request(REF));
    }

    @Test
    void restoreDeployAndUpdateReadTheirRequestFromStoredRows() {
        EnumSet<OperationType> stored = EnumSet.noneOf(OperationType.class);
        for (OperationType type : OperationType.values()) {
            if (type.workflow().requestIsStored()) {
                stored.add(type);
                assertThrows(IllegalStateException.class, () -> type.workflow().request(REF));
            }
        }
        assertEquals(EnumSet.of(OperationType.RESTORE_ENVIRONMENT, OperationType.DEPLOY_RELEASE, OperationType.UPDATE_SERVER), stored);
    }

    @Test
    void everyKindsWorkflowIsOneTheWorkerRuns() {
        for (OperationType type : OperationType.values()) {
            Class<?> workflow = type.workflow().type();
            assertTrue(WorkflowImplementations.ALL.stream().anyMatch(workflow::isAssignableFrom),
                    type + " starts " + workflow.getSimpleName() + ", which no registered implementation implements");
        }
    }

    @Test
    void startRunsTheKindsWorkflowUnderTheGivenIdWithItsRequest() {
        List<ServerActionRequest> received = new CopyOnWriteArrayList<>();
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            Worker worker = env.newWorker("operations");
            worker.registerWorkflowImplementationFactory(StopServerWorkflow.class, () -> received::add);
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            OperationWorkflow<?, ?> sleep = OperationType.SLEEP_SANDBOX.workflow();
            String workflowId = OperationType.SLEEP_SANDBOX.workflowId(REF);

            sleep.start(client, WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue("operations").build(),
                    sleep.request(REF));

            client.newUntypedWorkflowStub(workflowId).getResult(Void.class);
            assertEquals("StopServerWorkflow", client.fetchHistory(workflowId).getHistory().getEvents(0)
                    .getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName());
            assertEquals(List.of(new ServerActionRequest("op1", "app1", "env1", EnvironmentStatus.SLEEPING)), received);
        }
    }
}
