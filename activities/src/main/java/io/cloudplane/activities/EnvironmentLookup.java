package io.cloudplane.activities;

import io.cloudplane.infra.persistence.EnvironmentRecord;
import io.cloudplane.infra.persistence.EnvironmentRepository;
import jakarta.inject.Singleton;

import java.util.UUID;

@Singleton
class EnvironmentLookup {
    private final EnvironmentRepository environments;

    EnvironmentLookup(EnvironmentRepository environments) {
        this.environments = environments;
    }

    EnvironmentRecord require(String envId) {
        return environments.findById(UUID.fromString(envId))
                .orElseThrow(() -> Failures.notFound("environment " + envId + " does not exist"));
    }
}
