package io.cloudplane.infra.embedded;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A worker that dies in the middle of an operation (SIGKILL: its connections drop, nothing is
 * reported back) does not leave the operation waiting on the embedded Temporal forever: its
 * activity times out and is retried by the next worker, and the workflow tasks that follow reach
 * that worker although the dead one had asked for them on its sticky queue.
 */
class EmbeddedTemporalDeadWorkerTest {
    private static final String QUEUE = "dead-worker-test";

    @WorkflowInterface
    public interface TwoSteps {
        @WorkflowMethod
        String run();
    }

    @ActivityInterface
    public interface Step {
        String step(String name);
    }

    public static class TwoStepsImpl implements TwoSteps {
        private final Step step = Workflow.newActivityStub(Step.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(2))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofMillis(200)).setMaximumInterval(Duration.ofSeconds(1)).build())
                .build());

        @Override
        public String run() {
            String first = step.step("mark-running");
            String second = step.step("create-database");
            return first + "," + second;
        }
    }

    /** The first worker: the first step answers, the second never does (the worker is killed while it runs). */
    private static final class Hangs implements Step {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);

        @Override
        public String step(String name) {
            if (name.equals("mark-running")) {
                return "first:" + name;
            }
            entered.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the killed worker must never answer");
        }
    }

    @Test
    void anOperationWhoseWorkerWasKilledCompletesOnTheNextWorker() throws Exception {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0)) {
            Hangs hangs = new Hangs();
            WorkflowServiceStubs deadStubs = stubs(server);
            WorkerFactory dead = worker(deadStubs, hangs);
            WorkflowServiceStubs stubs = stubs(server);
            WorkerFactory next = null;
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                WorkflowStub run = client.newUntypedWorkflowStub("TwoSteps",
                        WorkflowOptions.newBuilder().setWorkflowId("provision-1").setTaskQueue(QUEUE).build());
                run.start();
                assertTrue(hangs.entered.await(20, TimeUnit.SECONDS), "the first worker never ran the second step");

                // SIGKILL: the connections drop first, so nothing the dying worker does reaches the server.
                deadStubs.shutdownNow();
                dead.shutdownNow();

                next = worker(stubs, name -> "next:" + name);
                try {
                    assertEquals("first:mark-running,next:create-database",
                            run.getResult(20, TimeUnit.SECONDS, String.class));
                } catch (TimeoutException e) {
                    fail("the run did not complete within 20 s of the new worker; the server says: " + describe(stubs, run));
                }
            } finally {
                hangs.released.countDown();
                if (next != null) {
                    next.shutdownNow();
                }
                dead.shutdownNow();
                stubs.shutdownNow();
            }
        }
    }

    private static WorkflowServiceStubs stubs(EmbeddedTemporalServer server) {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
    }

    private static WorkerFactory worker(WorkflowServiceStubs stubs, Step step) {
        WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
        var worker = factory.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(TwoStepsImpl.class);
        worker.registerActivitiesImplementations(step);
        factory.start();
        return factory;
    }

    private static String describe(WorkflowServiceStubs stubs, WorkflowStub run) {
        DescribeWorkflowExecutionResponse described = stubs.blockingStub().describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder().setNamespace("default")
                        .setExecution(run.getExecution()).build());
        return "status " + described.getWorkflowExecutionInfo().getStatus()
                + ", pending workflow task " + described.getPendingWorkflowTask()
                + ", pending activities " + described.getPendingActivitiesList();
    }
}
