package io.cloudplane.activities.server;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.server.ServerUpdateRecord;
import io.cloudplane.infra.server.ServerUpdateRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.server.EndedUpdate;
import io.cloudplane.workflows.server.ServerUpdateActivities;
import io.cloudplane.workflows.server.UpdatedServer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

@Singleton
public class ServerUpdateActivitiesImpl implements ServerUpdateActivities, ControlPlaneActivities {
    private final ServerUpdateRepository updates;
    private final EnvironmentRepository environments;
    private final EnvironmentLookup lookup;
    private final EnvironmentServers servers;
    private final EnvironmentRuntime runtime;
    private final HealthWaits waits;

    public ServerUpdateActivitiesImpl(ServerUpdateRepository updates, EnvironmentRepository environments, EnvironmentLookup lookup,
                                      EnvironmentServers servers, EnvironmentRuntime runtime, HealthWaits waits) {
        this.updates = updates;
        this.environments = environments;
        this.lookup = lookup;
        this.servers = servers;
        this.runtime = runtime;
        this.waits = waits;
    }

    @Override
    public EndedUpdate beginServerUpdate(String updateId) {
        ServerUpdateRecord update = update(updateId);
        if (update.status() == ServerUpdateRecord.Status.SUCCEEDED || update.status() == ServerUpdateRecord.Status.FAILED) {
            // A run started again after this update ended (a lost embedded Temporal): it only reports the outcome.
            return new EndedUpdate(update.status() == ServerUpdateRecord.Status.SUCCEEDED, update.error());
        }
        EnvironmentRecord env = lookup.require(update.envId().toString());
        if (update.status() == ServerUpdateRecord.Status.PENDING) {
            if (!env.serverVersion().equals(update.fromVersion())) {
                throw FailureType.INVALID_INPUT.nonRetryable("the environment runs " + env.serverVersion() + ", not " + update.fromVersion()
                        + " as when the update was asked for");
            }
            if (env.status() != EnvironmentStatus.RUNNING) {
                throw FailureType.INVALID_INPUT.nonRetryable("the environment is " + env.status() + "; only a running server is updated");
            }
        }
        updates.markRunning(update.id(), now());
        environments.updateStatus(env.id(), EnvironmentStatus.UPDATING, null, now());
        return null;
    }

    @Override
    public UpdatedServer startUpdatedServer(String updateId) {
        ServerUpdateRecord update = update(updateId);
        ServerEndpoint endpoint = runtime.startUpdate(servers.spec(lookup.require(update.envId().toString()), update.toVersion()));
        return new UpdatedServer(endpoint.port(), endpoint.previewUrl());
    }

    @Override
    public void awaitUpdatedServerHealthy(String updateId, int timeoutSeconds) {
        ServerUpdateRecord update = update(updateId);
        String envId = update.envId().toString();
        waits.await(envId, () -> runtime.checkUpdateHealth(envId), Duration.ofSeconds(timeoutSeconds),
                "the server of version " + update.toVersion());
    }

    @Override
    public void switchToUpdatedServer(String updateId, UpdatedServer server) {
        ServerUpdateRecord update = update(updateId);
        // The preview URL switches first, then the old server stops (and if the new one is gone by now,
        // finishUpdate fails, and the roll-back writes the previous version and endpoint back).
        environments.switchServer(update.envId(), update.toVersion(), server.port(), server.previewUrl(), now());
        ServerEndpoint serving = runtime.finishUpdate(update.envId().toString(), update.toVersion());
        if (serving != null && (!java.util.Objects.equals(serving.port(), server.port())
                || !serving.previewUrl().equals(server.previewUrl()))) {
            environments.updateEndpoint(update.envId(), serving.port(), serving.previewUrl(), now());
        }
    }

    @Override
    public void abandonServerUpdate(String updateId) {
        ServerUpdateRecord update = update(updateId);
        EnvironmentRecord env = lookup.require(update.envId().toString());
        ServerEndpoint endpoint = runtime.abandonUpdate(servers.spec(env, update.fromVersion()));
        environments.revertServer(env.id(), update.fromVersion(), endpoint.port(), endpoint.previewUrl(), now());
    }

    @Override
    public void finishServerUpdate(String updateId, boolean succeeded, String error, boolean rolledBack) {
        ServerUpdateRecord update = update(updateId);
        updates.finish(update.id(), succeeded ? ServerUpdateRecord.Status.SUCCEEDED : ServerUpdateRecord.Status.FAILED, error,
                rolledBack, now());
        if (!succeeded && rolledBack) {
            environments.updateStatus(update.envId(), EnvironmentStatus.RUNNING, null, now());
        } else if (!succeeded) {
            // Refused before any server was touched, though a begin attempt may have marked it UPDATING:
            // the server it ran all along still runs. (A FAILED set by the workflow stays.)
            environments.runningAgainIfUpdating(update.envId(), now());
        }
    }

    private ServerUpdateRecord update(String updateId) {
        return updates.findById(UUID.fromString(updateId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("server update " + updateId + " does not exist"));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
