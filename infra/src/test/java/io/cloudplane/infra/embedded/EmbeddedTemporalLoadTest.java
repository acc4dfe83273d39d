package io.cloudplane.infra.embedded;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded Temporal keeps no record per task in its time-lock log (which, as the test server
 * ships, grows with every task and slows every later one), and still runs timers in real time.
 */
class EmbeddedTemporalLoadTest {
    private static final int RUNS = 40;

    @WorkflowInterface
    public interface Tick {
        @WorkflowMethod
        long tick(int n);
    }

    @ActivityInterface
    public interface Echo {
        int echo(int n);
    }

    public static class TickImpl implements Tick {
        private final Echo echo = Workflow.newActivityStub(Echo.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

        @Override
        public long tick(int n) {
            long start = Workflow.currentTimeMillis();
            echo.echo(n);
            Workflow.sleep(Duration.ofMillis(300));
            echo.echo(n);
            return Workflow.currentTimeMillis() - start;
        }
    }

    @Test
    void theTimeLockLogStaysEmptyAndTimersRunInRealTime() {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0)) {
            long wallStart = System.nanoTime();
            List<Long> elapsed = runTicks(server);
            long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
            assertEquals(0, server.retainedTimeLockEvents());
            for (long e : elapsed) {
                assertTrue(e >= 300, "the 300 ms timer took " + e + " ms of workflow time: time was skipped");
            }
            assertTrue(wallMillis >= 300, "real time passed: " + wallMillis + " ms");
        }
    }

    @Test
    void theTestServerAsItShipsKeepsAnEventPerTask() {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0, null, false)) {
            runTicks(server);
            // Each run schedules two activities, a timer and several workflow tasks.
            assertTrue(server.retainedTimeLockEvents() >= 2 * RUNS,
                    "events retained: " + server.retainedTimeLockEvents());
        }
    }

    private static List<Long> runTicks(EmbeddedTemporalServer server) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.target()).build());
        try {
            WorkflowClient client = WorkflowClient.newInstance(stubs);
            WorkerFactory factory = WorkerFactory.newInstance(client);
            var worker = factory.newWorker("load-test");
            worker.registerWorkflowImplementationTypes(TickImpl.class);
            worker.registerActivitiesImplementations((Echo) n -> n);
            factory.start();
            List<CompletableFuture<Long>> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                Tick tick = client.newWorkflowStub(Tick.class, WorkflowOptions.newBuilder()
                        .setWorkflowId("tick-" + i).setTaskQueue("load-test").build());
                runs.add(WorkflowClient.execute(tick::tick, i));
            }
            List<Long> elapsed = runs.stream().map(CompletableFuture::join).toList();
            factory.shutdownNow();
            return elapsed;
        } finally {
            stubs.shutdownNow();
        }
    }
}
