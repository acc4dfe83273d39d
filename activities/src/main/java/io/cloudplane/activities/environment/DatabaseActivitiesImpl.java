package io.cloudplane.activities.environment;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.crypto.RandomTokens;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.DatabaseActivities;
import jakarta.inject.Singleton;

import java.util.UUID;

@Singleton
public class DatabaseActivitiesImpl implements DatabaseActivities, ControlPlaneActivities {
    private final EnvironmentLookup lookup;
    private final EnvironmentRepository environments;
    private final DatabaseProvisioner databases;
    private final SecretBox secrets;

    public DatabaseActivitiesImpl(EnvironmentLookup lookup, EnvironmentRepository environments,
                                  DatabaseProvisioner databases, SecretBox secrets) {
        this.lookup = lookup;
        this.environments = environments;
        this.databases = databases;
        this.secrets = secrets;
    }

    @Override
    public void createDatabase(String envId) {
        EnvironmentRecord env = lookup.require(envId);
        if (env.dbPassword() == null) {
            // Only the first attempt's password is kept, so that retries agree on one.
            environments.setDbPasswordIfAbsent(env.id(), secrets.encrypt(RandomTokens.alphanumeric(32)));
            env = lookup.require(envId);
        }
        databases.ensureDatabase(env.dbName(), secrets.decrypt(env.dbPassword()));
    }

    @Override
    public void dropDatabase(String envId) {
        // The name is derived from the ID, so a half-deleted environment can still be cleaned up.
        databases.dropDatabase(EnvironmentRecord.databaseNameFor(UUID.fromString(envId)));
    }
}
