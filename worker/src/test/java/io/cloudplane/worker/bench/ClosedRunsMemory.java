package io.cloudplane.worker.bench;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
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

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Part of {@code -Pmonth}: what a closed run costs the embedded Temporal, apart from everything
 * else an all-in-one holds. In this JVM, an embedded Temporal and a worker run {@code month.runs}
 * (default 2000) workflows shaped like a Cloudplane operation (three activities with 1 KiB results
 * and a timer) in batches of 100, for each retention in {@code month.variants-closed-runs} (default
 * {@code 3650d,5s}); the heap in use after a full GC is read before and after, once the retention
 * has passed twice. The difference, divided by the runs, is what each closed run keeps.
 */
public final class ClosedRunsMemory {
    private static final String QUEUE = "closed-runs-memory";

    private ClosedRunsMemory() {
    }

    @WorkflowInterface
    public interface Operation {
        @WorkflowMethod
        String run(int n);
    }

    @ActivityInterface
    public interface Step {
        String step(int n);
    }

    public static class OperationImpl implements Operation {
        private final Step steps = Workflow.newActivityStub(Step.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());

        @Override
        public String run(int n) {
            String a = steps.step(n);
            Workflow.sleep(Duration.ofMillis(10));
            String b = steps.step(n + 1);
            return steps.step(n + 2).substring(0, 8) + a.length() + b.length();
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("month.runs", 2000);
        String[] variants = System.getProperty("month.variants-closed-runs", "3650d,5s").split(",");
        System.out.println("| retention | runs | heap before (MiB) | heap after (MiB) | kept per closed run |");
        System.out.println("|---|---|---|---|---|");
        for (String variant : variants) {
            Duration retention = parse(variant.trim());
            long before;
            long after;
            try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0, retention)) {
                WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                        .setTarget(server.target()).build());
                WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
                try {
                    WorkflowClient client = WorkflowClient.newInstance(stubs);
                    var worker = factory.newWorker(QUEUE);
                    worker.registerWorkflowImplementationTypes(OperationImpl.class);
                    worker.registerActivitiesImplementations((Step) n -> "x".repeat(1024) + n);
                    factory.start();
                    execute(client, 0, 50); // warm-up: classes loaded, caches filled
                    before = heapAfterGc();
                    for (int start = 0; start < runs; start += 100) {
                        execute(client, start + 100, Math.min(100, runs - start));
                    }
                    Duration settle = retention.compareTo(Duration.ofMinutes(1)) < 0 ? retention.multipliedBy(2).plusSeconds(2) : Duration.ZERO;
                    Thread.sleep(settle.toMillis());
                    after = heapAfterGc();
                } finally {
                    factory.shutdownNow();
                    stubs.shutdownNow();
                }
            }
            System.out.printf("| %s | %d | %.1f | %.1f | %d bytes |%n", variant.trim(), runs, before / 1048576.0, after / 1048576.0,
                    (after - before) / runs);
        }
    }

    private static void execute(WorkflowClient client, int first, int count) {
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            Operation op = client.newWorkflowStub(Operation.class, WorkflowOptions.newBuilder()
                    .setWorkflowId("operation-" + i).setTaskQueue(QUEUE).build());
            results.add(WorkflowClient.execute(op::run, i));
        }
        results.forEach(CompletableFuture::join);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Duration parse(String text) {
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 'd' -> Duration.ofDays(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 's' -> Duration.ofSeconds(amount);
            default -> throw new IllegalArgumentException("a duration such as 5s or 3650d: " + text);
        };
    }
}
