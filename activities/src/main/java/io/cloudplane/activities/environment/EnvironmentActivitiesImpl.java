package io.cloudplane.activities.environment;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Singleton
public class EnvironmentActivitiesImpl implements EnvironmentActivities, ControlPlaneActivities {
    private final EnvironmentRepository environments;
    private final AppRepository apps;
    private final EnvironmentLookup lookup;

    public EnvironmentActivitiesImpl(EnvironmentRepository environments, AppRepository apps, EnvironmentLookup lookup) {
        this.environments = environments;
        this.apps = apps;
        this.lookup = lookup;
    }

    @Override
    public void setStatus(String envId, EnvironmentStatus status, String reason) {
        environments.updateStatus(UUID.fromString(envId), status, reason, Instant.now());
    }

    @Override
    public EnvironmentStatus getStatus(String envId) {
        return lookup.require(envId).status();
    }

    @Override
    public void forgetEnvironment(String envId) {
        environments.deleteById(UUID.fromString(envId));
    }

    @Override
    public List<String> listEnvironmentIds(String appId) {
        return environments.findByAppId(UUID.fromString(appId)).stream().map(EnvironmentRecord::id).map(UUID::toString).toList();
    }

    @Override
    public void forgetApplication(String appId) {
        apps.deleteById(UUID.fromString(appId));
    }
}
