package io.cloudplane.api.code;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.operation.OperationLauncher;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationType;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.UUID;

/**
 * Brings uploaded code to a running server that does not read the control plane's disk. Locally the server reads
 * the new tree at once, and nothing is done. On Kubernetes the pods hold the code their init container fetched,
 * so an upload to a RUNNING environment is followed by a restart operation (RESTART_SERVER, with the uploader as
 * its actor), whose activity applies the Deployment with the new code: the worker rolls it, since the API's
 * service account only reads. A stopped or sleeping environment gets the code when it starts. If another
 * operation got in first, it is left alone: every start and restart applies the environment's current code.
 */
@Singleton
public class CodeRollout {
    private static final Logger LOG = LoggerFactory.getLogger(CodeRollout.class);
    private final boolean kubernetes;
    private final AccessService access;
    private final AppService apps;
    private final OperationLauncher launcher;
    private final EnvironmentRepository environments;

    public CodeRollout(CloudplaneSettings settings, AccessService access, AppService apps, OperationLauncher launcher,
                       EnvironmentRepository environments) {
        this.kubernetes = settings.runtime().equals("kubernetes");
        this.access = access;
        this.apps = apps;
        this.launcher = launcher;
        this.environments = environments;
    }

    /** The restart operation that rolls the environment's pods to its new code, if one was needed and started. */
    public Optional<UUID> afterUpload(UUID caller, UUID appId, UUID envId) {
        if (!kubernetes) {
            return Optional.empty();
        }
        EnvironmentRecord env = environments.findById(envId).orElse(null);
        if (env == null || env.status() != EnvironmentStatus.RUNNING) {
            return Optional.empty();
        }
        try {
            Access a = access.requireApp(caller, appId);
            OperationRecord op = apps.serverAction(a, caller, env, OperationType.RESTART_SERVER);
            launcher.launch(op);
            return Optional.of(op.id());
        } catch (ApiException e) {
            LOG.warn("Environment {}'s new code was not rolled out by a restart ({}): its pods keep the previous code until the next start or restart",
                    envId, e.getMessage());
            return Optional.empty();
        }
    }
}
