package io.cloudplane.activities.server;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.infra.runtime.ServerEndpoint;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.infra.runtime.ServerVersion;
import jakarta.inject.Singleton;

import java.time.Instant;

/** Starts an environment's server from its record: used by the activity and by the boot-time restart. */
@Singleton
public class EnvironmentServers {
    private final EnvironmentRepository environments;
    private final EnvironmentRuntime runtime;
    private final ServerCatalog catalog;
    private final DatabaseProvisioner databases;
    private final SecretBox secrets;
    private final io.cloudplane.infra.gateway.GatewayKeys gatewayKeys;
    private final EnvironmentCodeRepository code;

    public EnvironmentServers(EnvironmentRepository environments, EnvironmentRuntime runtime, ServerCatalog catalog,
                              DatabaseProvisioner databases, SecretBox secrets, io.cloudplane.infra.gateway.GatewayKeys gatewayKeys,
                              EnvironmentCodeRepository code) {
        this.gatewayKeys = gatewayKeys;
        this.code = code;
        this.environments = environments;
        this.runtime = runtime;
        this.catalog = catalog;
        this.databases = databases;
        this.secrets = secrets;
    }

    public ServerEndpoint start(EnvironmentRecord env) {
        ServerEndpoint endpoint = runtime.start(spec(env, env.serverVersion()));
        if (!endpoint.previewUrl().equals(env.previewUrl()) || !java.util.Objects.equals(endpoint.port(), env.port())) {
            environments.updateEndpoint(env.id(), endpoint.port(), endpoint.previewUrl(), Instant.now());
        }
        return endpoint;
    }

    /**
     * Restarts the environment's server where it runs, with the code it has now (on Kubernetes: applied, so
     * that code uploaded since its pods started reaches them); false when the runtime cannot.
     */
    public boolean restartInPlace(EnvironmentRecord env) {
        return runtime.restartInPlace(spec(env, env.serverVersion()));
    }

    /**
     * What the runtime needs to run {@code version} of the catalog for the environment, with the environment's
     * code as {@code environment_code} records it now (a deployment, a roll-back, an upload or a clone wrote it
     * before the server starts), which Kubernetes pods fetch.
     */
    public ServerSpec spec(EnvironmentRecord env, String version) {
        ServerVersion found = catalog.find(version)
                .orElseThrow(() -> FailureType.INVALID_INPUT.nonRetryable("server version " + version + " is not in the catalog"));
        if (env.dbPassword() == null) {
            throw FailureType.INVALID_INPUT.nonRetryable("environment " + env.id() + " has no database yet");
        }
        return new ServerSpec(env.id().toString(), found, env.port(), databases.jdbcUrlFor(env.dbName()), env.dbName(),
                secrets.decrypt(env.dbPassword()), gatewayKeys.of(env.id().toString()),
                code.findById(env.id()).map(r -> new ServerSpec.Code(r.objectKey(), r.sha256())).orElse(null));
    }
}
