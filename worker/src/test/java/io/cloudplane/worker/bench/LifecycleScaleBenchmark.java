package io.cloudplane.worker.bench;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import io.cloudplane.workflows.environment.DatabaseActivities;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.FileActivities;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.cloudplane.workflows.app.DeleteApplicationWorkflowImpl;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationActivities;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl;
import io.cloudplane.workflows.sandbox.LifecycleSettings;
import io.cloudplane.workflows.sandbox.SandboxActivities;
import io.cloudplane.workflows.sandbox.SandboxLifecycleInput;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflow;
import io.cloudplane.workflows.sandbox.SandboxLifecycleWorkflowImpl;
import io.cloudplane.workflows.sandbox.SandboxMail;
import io.cloudplane.workflows.sandbox.SleepRequest;
import io.cloudplane.workflows.server.ServerActionWorkflowsImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import org.awaitility.core.ConditionTimeoutException;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * {@code ./mvnw -Pbench verify -Dbench.lifecycles=10000}: how many sandbox lifecycles one worker
 * holds, what each costs, and how fast a burst of them falls asleep together. The embedded
 * Temporal (Temporal's Java test server, which keeps everything in memory) runs in a JVM of its
 * own ({@code -Dbench.serverHeap}, default 8g) on the same cores, so that the worker's heap (this
 * JVM, {@code -Xmx1g}) is weighed apart; {@code -Dbench.server=same-jvm} puts both in this JVM.
 * Activities are {@link NoCostActivities}: a runtime whose stop costs nothing, and no database or
 * mail.
 */
public final class LifecycleScaleBenchmark {
    private LifecycleScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("bench.lifecycles", 10_000);
        boolean sameJvm = "same-jvm".equals(System.getProperty("bench.server", "separate"));
        try (Server server = sameJvm ? new InProcess() : new Separate(System.getProperty("bench.serverHeap", "8g"))) {
            run(count, server, sameJvm);
        }
        System.exit(0);
    }

    private static void run(int count, Server server, boolean sameJvm) throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        NoCostActivities activities = new NoCostActivities();
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.target()).build());
        WorkflowClient client = WorkflowClient.newInstance(stubs);
        WorkerFactory factory = WorkerFactory.newInstance(client, io.temporal.worker.WorkerFactoryOptions.newBuilder()
                .setWorkflowCacheSize(Integer.getInteger("bench.cache", 600))
                .build());
        Worker worker = factory.newWorker(TaskQueues.CONTROL_PLANE, WorkerOptions.newBuilder()
                .setMaxConcurrentWorkflowTaskPollers(4)
                .setMaxConcurrentActivityTaskPollers(4)
                .build());
        worker.registerWorkflowImplementationTypes(SandboxLifecycleWorkflowImpl.class, ServerActionWorkflowsImpl.Stop.class,
                ServerActionWorkflowsImpl.Start.class, DeleteApplicationWorkflowImpl.class, DeleteEnvironmentWorkflowImpl.class);
        worker.registerActivitiesImplementations(activities);
        factory.start();
        long baseline = usedHeapAfterGc();
        long serverBaseline = server.usedHeap();

        // Every lifecycle reaches its sleep time at the same instant, after all have started.
        long idle = Duration.ofMinutes(30).toMillis();
        LifecycleSettings settings = new LifecycleSettings(idle, Duration.ofDays(90).toMillis(),
                List.of(Duration.ofDays(14).toMillis(), Duration.ofDays(1).toMillis()));
        long startWindow = Math.max(60_000, count * 5L);
        long sleepAt = System.currentTimeMillis() + startWindow;
        ExecutorService starters = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            String appId = "bench-app-" + i;
            starters.execute(() -> {
                try {
                    SandboxLifecycleWorkflow lifecycle = client.newWorkflowStub(SandboxLifecycleWorkflow.class,
                            WorkflowOptions.newBuilder().setWorkflowId(WorkflowIds.sandboxLifecycle(appId))
                                    .setTaskQueue(TaskQueues.CONTROL_PLANE).build());
                    WorkflowClient.start(lifecycle::run, new SandboxLifecycleInput(appId, "env-" + appId, "owner",
                            settings, sleepAt - idle, null));
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            });
        }
        starters.shutdown();
        starters.awaitTermination(1, TimeUnit.HOURS);
        double startSeconds = (System.nanoTime() - started) / 1e9;
        // Let the first workflow tasks settle: each lifecycle has set its sleep timer.
        String probe = WorkflowIds.sandboxLifecycle("bench-app-" + (count - 1));
        try {
            await("the last lifecycle's sleep timer").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.fetchHistory(probe).getHistory().getEventsCount() >= 5);
        } catch (ConditionTimeoutException e) {
            // measured as it stands: the heap figures below say how far the lifecycles got
        }
        long held = usedHeapAfterGc();
        long serverHeld = server.usedHeap();
        var awakeHistory = client.fetchHistory(WorkflowIds.sandboxLifecycle("bench-app-0")).getHistory();

        long wait = sleepAt - System.currentTimeMillis();
        boolean inTime = wait > 0;
        if (wait > 0) {
            Thread.sleep(wait);
        }
        long burstStart = System.nanoTime();
        try {
            await("every lifecycle asleep").atMost(Duration.ofMinutes(15)).pollInSameThread().pollInterval(Duration.ofMillis(50))
                    .until(() -> activities.asleep.get() >= count);
        } catch (ConditionTimeoutException e) {
            // reported below: how many fell asleep within 15 minutes
        }
        double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
        Thread.sleep(5_000); // the workflow task after each sleep sets the first notice timer
        long afterBurst = usedHeapAfterGc();
        long serverAfterBurst = server.usedHeap();
        var asleepHistory = client.fetchHistory(WorkflowIds.sandboxLifecycle("bench-app-0")).getHistory();

        System.out.println();
        System.out.printf("| embedded Temporal | %s |%n", sameJvm ? "in the worker's JVM (heap figures are worker + server)"
                : "in its own JVM (-Xmx" + System.getProperty("bench.serverHeap", "8g") + "), on the same 2 cores");
        System.out.printf("| lifecycles started | %d (%d failed to start) in %.1f s, %.0f/s |%n", count, failures.get(),
                startSeconds, count / startSeconds);
        System.out.printf("| worker heap limit (-Xmx) | %d MiB |%n", maxHeap / (1024 * 1024));
        System.out.printf("| worker heap held, awake (after GC) | %d MiB, %.1f KiB per lifecycle |%n",
                (held - baseline) / (1024 * 1024), (held - baseline) / 1024.0 / count);
        System.out.printf("| worker heap held, asleep (after GC) | %d MiB, %.1f KiB per lifecycle |%n",
                (afterBurst - baseline) / (1024 * 1024), (afterBurst - baseline) / 1024.0 / count);
        if (!sameJvm) {
            System.out.printf("| server heap held, awake (after GC) | %d MiB, %.1f KiB per lifecycle |%n",
                    (serverHeld - serverBaseline) / (1024 * 1024), (serverHeld - serverBaseline) / 1024.0 / count);
            System.out.printf("| server heap held, asleep (after GC) | %d MiB, %.1f KiB per lifecycle |%n",
                    (serverAfterBurst - serverBaseline) / (1024 * 1024), (serverAfterBurst - serverBaseline) / 1024.0 / count);
        }
        System.out.printf("| history of one lifecycle, awake | %d events, %d bytes |%n", awakeHistory.getEventsCount(),
                awakeHistory.getSerializedSize());
        System.out.printf("| history of one lifecycle, asleep | %d events, %d bytes |%n", asleepHistory.getEventsCount(),
                asleepHistory.getSerializedSize());
        System.out.printf("| burst: all %d asleep after their common sleep time | %s |%n", count,
                activities.asleep.get() >= count ? String.format("%.1f s", burstSeconds)
                        : String.format("not within 15 min: %d of %d asleep", activities.asleep.get(), count));
        if (!inTime) {
            System.out.println("| note | starting took longer than the start window: some lifecycles were late to their sleep time |");
        }
        factory.shutdownNow();
        stubs.shutdownNow();
    }

    private interface Server extends AutoCloseable {
        String target();

        long usedHeap() throws Exception;

        @Override
        void close() throws Exception;
    }

    private static final class InProcess implements Server {
        private final EmbeddedTemporalServer server = new EmbeddedTemporalServer(0);

        @Override public String target() { return server.target(); }
        @Override public long usedHeap() { return 0; }
        @Override public void close() { server.close(); }
    }

    /** {@link EmbeddedTemporalMain} in a child JVM. */
    private static final class Separate implements Server {
        private final Process process;
        private final java.io.BufferedReader out;
        private final java.io.PrintStream in;
        private final String target;

        Separate(String heap) throws Exception {
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                    "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""),
                    "-cp", System.getProperty("java.class.path"), EmbeddedTemporalMain.class.getName())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new java.io.PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            target = expect("TARGET ");
        }

        private String expect(String prefix) throws Exception {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
            throw new IllegalStateException("the embedded Temporal process ended (exit " + process.waitFor() + ")");
        }

        @Override public String target() { return target; }

        @Override
        public long usedHeap() throws Exception {
            in.println("heap");
            return Long.parseLong(expect("HEAP "));
        }

        @Override
        public void close() throws Exception {
            in.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Every activity the lifecycle reaches, at no cost: the "zero-cost runtime adapter" of the figures. */
    static final class NoCostActivities implements DatabaseActivities, FileActivities, RuntimeActivities, EnvironmentActivities,
            OperationActivities, SandboxActivities {
        final AtomicInteger asleep = new AtomicInteger();
        private final Map<String, EnvironmentStatus> statuses = new ConcurrentHashMap<>();

        @Override public void createDatabase(String envId) { }
        @Override public void dropDatabase(String envId) { }
        @Override public void createFolders(String envId) { }
        @Override public void deleteFolders(String envId) { }
        @Override public String startServer(String envId) { return "http://127.0.0.1/"; }
        @Override public void awaitHealthy(String envId) { }
        @Override public void awaitHealthyWithin(String envId, int timeoutSeconds) { }
        @Override public void restartServer(String envId) { }
        @Override public void removeServer(String envId) { }
        @Override public void stopServer(String envId) { }

        @Override
        public void setStatus(String envId, EnvironmentStatus status, String reason) {
            if (statuses.put(envId, status) != EnvironmentStatus.SLEEPING && status == EnvironmentStatus.SLEEPING) {
                asleep.incrementAndGet();
            }
        }

        @Override public EnvironmentStatus getStatus(String envId) { return statuses.getOrDefault(envId, EnvironmentStatus.RUNNING); }
        @Override public void forgetEnvironment(String envId) { }
        @Override public List<String> listEnvironmentIds(String appId) { return List.of(); }
        @Override public void forgetApplication(String appId) { }
        @Override public void record(OperationProgress progress) { }
        @Override public String beginOperation(String key, String appId, String envId, io.cloudplane.workflows.operation.OperationType type, String actorUserId) { return key; }
        @Override public void refuseOperation(String operationId, String reason) { }
        @Override public void sendSandboxMail(SandboxMail mail) { }

        @Override
        public void fallAsleep(SleepRequest request) {
            setStatus(request.envId(), EnvironmentStatus.SLEEPING, null);
        }
    }
}
