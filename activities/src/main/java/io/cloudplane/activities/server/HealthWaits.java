package io.cloudplane.activities.server;

import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.crypto.Redactor;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.cloudplane.workflows.common.FailureType;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for a server's health inside an activity: probes with a growing pause (20 ms to 250 ms),
 * heartbeats each probe's detail, and fails at once (not retryable) when the server is gone, with
 * its last output, the environment's database password redacted.
 */
@Singleton
public class HealthWaits {
    private final EnvironmentLookup lookup;
    private final EnvironmentRuntime runtime;
    private final SecretBox secrets;

    public HealthWaits(EnvironmentLookup lookup, EnvironmentRuntime runtime, SecretBox secrets) {
        this.lookup = lookup;
        this.runtime = runtime;
        this.secrets = secrets;
    }

    public void await(String envId, Supplier<HealthReport> probe, Duration timeout, String what) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 20;
        HealthReport report;
        do {
            report = probe.get();
            if (report.healthy()) {
                return;
            }
            if (!report.processAlive()) {
                throw FailureType.SERVER_EXITED.nonRetryable(report.detail() + ". Last output: "
                        + Redactor.ofSealed(secrets, lookup.require(envId).dbPassword()).apply(lastLines(runtime.recentOutput(envId))));
            }
            context.heartbeat(report.detail());
            sleep(pause);
            pause = Math.min(pause * 2, 250);
        } while (System.nanoTime() < deadline);
        throw FailureType.UNHEALTHY.retryable(what + " was not healthy within " + timeout.toSeconds() + "s: " + report.detail());
    }

    private static String lastLines(String output) {
        String[] lines = output.split("\n");
        int from = Math.max(0, lines.length - 5);
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Activity.wrap(e);
        }
    }
}
