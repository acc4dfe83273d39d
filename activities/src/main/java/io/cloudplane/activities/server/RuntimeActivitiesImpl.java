package io.cloudplane.activities.server;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.cloudplane.infra.config.CloudplaneSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;

@Singleton
public class RuntimeActivitiesImpl implements RuntimeActivities, ControlPlaneActivities {
    private final EnvironmentLookup lookup;
    private final EnvironmentServers servers;
    private final EnvironmentRuntime runtime;
    private final Duration healthTimeout;
    private final HealthWaits waits;

    @Inject
    public RuntimeActivitiesImpl(EnvironmentLookup lookup, EnvironmentServers servers, EnvironmentRuntime runtime,
                                 CloudplaneSettings settings, HealthWaits waits) {
        this(lookup, servers, runtime, settings.serverHealthTimeout(), waits);
    }

    public RuntimeActivitiesImpl(EnvironmentLookup lookup, EnvironmentServers servers, EnvironmentRuntime runtime,
                                 Duration healthTimeout, HealthWaits waits) {
        this.lookup = lookup;
        this.servers = servers;
        this.runtime = runtime;
        this.healthTimeout = healthTimeout;
        this.waits = waits;
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

    private void awaitHealthy(String envId, Duration timeout) {
        waits.await(envId, () -> runtime.checkHealth(envId), timeout, "the server");
    }

    @Override
    public void restartServer(String envId) {
        if (!servers.restartInPlace(lookup.require(envId))) {
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
}
