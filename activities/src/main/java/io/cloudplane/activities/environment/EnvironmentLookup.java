package io.cloudplane.activities.environment;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import jakarta.inject.Singleton;

import java.util.UUID;

@Singleton
public class EnvironmentLookup {
    private final EnvironmentRepository environments;

    public EnvironmentLookup(EnvironmentRepository environments) {
        this.environments = environments;
    }

    public EnvironmentRecord require(String envId) {
        return environments.findById(UUID.fromString(envId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("environment " + envId + " does not exist"));
    }
}
