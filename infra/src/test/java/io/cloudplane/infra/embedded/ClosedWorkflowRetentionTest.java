package io.cloudplane.infra.embedded;

import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded Temporal forgets a closed run once its retention has passed, as a namespace does,
 * and releases its memory; it keeps running runs (and their histories) whatever their age, and a
 * workflow ID whose closed run was forgotten can be started again.
 */
class ClosedWorkflowRetentionTest {
    private static final String QUEUE = "retention-test";
    private static final Duration RETENTION = Duration.ofSeconds(3);
    private static final int CLOSED_RUNS = 30;

    @WorkflowInterface
    public interface Once {
        @WorkflowMethod
        int run(int n);
    }

    /** Runs an activity, continues as new once, then waits for a signal: its second run stays open. */
    @WorkflowInterface
    public interface LongLived {
        @WorkflowMethod
        String live(int generation);

        @SignalMethod
        void finish(String word);
    }

    @ActivityInterface
    public interface Echo {
        int echo(int n);
    }

    public static class OnceImpl implements Once {
        private final Echo echo = Workflow.newActivityStub(Echo.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

        @Override
        public int run(int n) {
            return echo.echo(n) + 1;
        }
    }

    public static class LongLivedImpl implements LongLived {
        private final Echo echo = Workflow.newActivityStub(Echo.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());
        private String word;

        @Override
        public String live(int generation) {
            int echoed = echo.echo(generation);
            if (generation == 0) {
                Workflow.continueAsNew(1);
            }
            Workflow.await(() -> word != null);
            return word + "@" + echoed;
        }

        @Override
        public void finish(String word) {
            this.word = word;
        }
    }

    private EmbeddedTemporalServer server;
    private WorkflowServiceStubs stubs;
    private WorkflowClient client;
    private WorkerFactory factory;

    @BeforeEach
    void start() {
        server = new EmbeddedTemporalServer(0, RETENTION);
        stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        client = WorkflowClient.newInstance(stubs);
        factory = WorkerFactory.newInstance(client);
        var worker = factory.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(OnceImpl.class, LongLivedImpl.class);
        worker.registerActivitiesImplementations((Echo) n -> n);
        factory.start();
    }

    @AfterEach
    void stop() {
        factory.shutdownNow();
        stubs.shutdownNow();
        server.close();
    }

    @Test
    void closedRunsAreForgottenAfterTheRetentionAndRunningOnesKept() throws Exception {
        LongLived longLived = client.newWorkflowStub(LongLived.class, options("long-lived"));
        WorkflowClient.start(longLived::live, 0);
        await("the long-lived workflow's second run").atMost(Duration.ofSeconds(10))
                .until(() -> server.heldRuns().executions() == 2);

        List<CompletableFuture<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < CLOSED_RUNS; i++) {
            runs.add(WorkflowClient.execute(client.newWorkflowStub(Once.class, options("once-" + i))::run, i));
        }
        for (int i = 0; i < CLOSED_RUNS; i++) {
            assertEquals(i + 1, runs.get(i).join());
        }
        // The last one closed just now, within the retention: still there, as Temporal's tools would show it.
        String last = "once-" + (CLOSED_RUNS - 1);
        WeakReference<Object> closedState = new WeakReference<>(runState(last));
        assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
                WorkflowExecutions.describe(client, last).orElseThrow().getStatus());
        assertTrue(server.heldRuns().executions() > 2, "held: " + server.heldRuns());

        await("the closed runs to be forgotten").atMost(RETENTION.multipliedBy(4))
                .until(() -> server.heldRuns(), held -> held.equals(new ClosedWorkflowRetention.Held(1, 1, 1)));
        assertTrue(WorkflowExecutions.describe(client, last).isEmpty(), "a forgotten run is NOT_FOUND, as after a restart");
        await("the forgotten run's memory to be released").atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return closedState.get() == null;
        });

        // The running run is untouched: found, signalled by its workflow ID, and its history (the
        // activity's result from before the signal) replays to the right answer.
        assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
                WorkflowExecutions.describe(client, "long-lived").orElseThrow().getStatus());
        client.newWorkflowStub(LongLived.class, "long-lived").finish("done");
        assertEquals("done@1", WorkflowStub.fromTyped(longLived).getResult(String.class));

        // An ID whose run was forgotten starts again, even under a policy that refuses duplicates.
        Once again = client.newWorkflowStub(Once.class, WorkflowOptions.newBuilder(options(last))
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE).build());
        assertEquals(42, again.run(41));
    }

    private static WorkflowOptions options(String workflowId) {
        return WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(QUEUE).build();
    }

    /** The test server's state object of the latest run of {@code workflowId}, read as the retention reads it. */
    private Object runState(String workflowId) throws ReflectiveOperationException {
        Object services = field(EmbeddedTemporalServer.class, "services").get(server);
        Object service = field(services.getClass(), "workflowService").get(services);
        Map<?, ?> latest = (Map<?, ?>) field(service.getClass(), "executionsByWorkflowId").get(service);
        for (Map.Entry<?, ?> entry : latest.entrySet()) {
            if (workflowId.equals(field(entry.getKey().getClass(), "workflowId").get(entry.getKey()))) {
                return entry.getValue();
            }
        }
        throw new AssertionError(workflowId + " is not among " + latest.keySet());
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}
