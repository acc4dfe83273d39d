package io.cloudplane.activities;

import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.HealthReport;
import io.cloudplane.workflows.activities.RuntimeActivities;
import io.micronaut.context.annotation.Value;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Singleton;

import java.time.Duration;

@Singleton
public class RuntimeActivitiesImpl implements RuntimeActivities {
    private final EnvironmentLookup lookup;
    private final EnvironmentServers servers;
    private final EnvironmentRuntime runtime;
    private final Duration healthTimeout;
    private final io.cloudplane.infra.crypto.SecretBox secrets;

    public RuntimeActivitiesImpl(EnvironmentLookup lookup, EnvironmentServers servers, EnvironmentRuntime runtime,
                                 @Value("${cloudplane.server-health-timeout:60s}") Duration healthTimeout,
                                 io.cloudplane.infra.crypto.SecretBox secrets) {
        this.secrets = secrets;
        this.lookup = lookup;
        this.servers = servers;
        this.runtime = runtime;
        this.healthTimeout = healthTimeout;
    }

    @Override
    public String startServer(String envId) {
        return servers.start(lookup.require(envId)).previewUrl();
    }

    @Override
    public void awaitHealthy(String envId) {
        awaitHealthy(envId, healthTimeout);
    }

    @Override
    public void awaitHealthyWithin(String envId, int timeoutSeconds) {
        awaitHealthy(envId, Duration.ofSeconds(timeoutSeconds));
    }

    private void awaitHealthy(String envId, Duration healthTimeout) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        long deadline = System.nanoTime() + healthTimeout.toNanos();
        long pause = 20;
        HealthReport report;
        do {
            report = runtime.checkHealth(envId);
            if (report.healthy()) {
                return;
            }
            if (!report.processAlive()) {
                throw ApplicationFailure.newNonRetryableFailure(report.detail() + ". Last output: "
                        + redacted(envId, lastLines(runtime.recentOutput(envId))), "ServerExited");
            }
            context.heartbeat(report.detail());
            sleep(pause);
            pause = Math.min(pause * 2, 250);
        } while (System.nanoTime() < deadline);
        throw ApplicationFailure.newFailure("the server was not healthy within " + healthTimeout.toSeconds()
                + "s: " + report.detail(), "Unhealthy");
    }

    @Override
    public void restartServer(String envId) {
        if (!runtime.restartInPlace(envId)) {
            runtime.stop(envId);
            servers.start(lookup.require(envId));
        }
    }

    @Override
    public void removeServer(String envId) {
        runtime.remove(envId);
    }

    @Override
    public void stopServer(String envId) {
        runtime.stop(envId);
    }

    /** The server's output goes into operation errors: never with the environment's database password in it. */
    private String redacted(String envId, String text) {
        String sealed = lookup.require(envId).dbPassword();
        String password = sealed == null ? null : secrets.decrypt(sealed);
        return password == null || password.isEmpty() ? text : text.replace(password, "[redacted]");
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
