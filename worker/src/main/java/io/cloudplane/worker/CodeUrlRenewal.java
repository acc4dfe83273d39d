package io.cloudplane.worker;

import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * On Kubernetes, every {@code cloudplane.kubernetes.code.url-renewal} (1 day), signs the presigned URL of each
 * RUNNING environment's code again, so that a pod that restarts by itself (an eviction, a drained node) long
 * after the environment was last applied still fetches its code. Nothing rolls: only the code Secret changes.
 * Several workers may each do it; it is idempotent. One environment's failure is logged and left to the next pass.
 */
@Singleton
@Requires(property = "cloudplane.runtime", value = "kubernetes")
@Requires(property = "cloudplane.worker.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT)
public class CodeUrlRenewal {
    private static final Logger LOG = LoggerFactory.getLogger(CodeUrlRenewal.class);
    private final EnvironmentRepository environments;
    private final EnvironmentCodeRepository code;
    private final EnvironmentRuntime runtime;

    public CodeUrlRenewal(EnvironmentRepository environments, EnvironmentCodeRepository code, EnvironmentRuntime runtime) {
        this.environments = environments;
        this.code = code;
        this.runtime = runtime;
    }

    @Scheduled(initialDelay = "1m", fixedDelay = "${cloudplane.kubernetes.code.url-renewal:1d}")
    void renewAll() {
        renew();
    }

    /** Returns how many environments' URLs were signed again. */
    int renew() {
        int renewed = 0;
        for (EnvironmentRecord env : environments.findByStatus(EnvironmentStatus.RUNNING)) {
            try {
                Optional<EnvironmentCodeRecord> current = code.findById(env.id());
                if (current.isPresent() && runtime.renewCodeUrl(env.id().toString(),
                        new ServerSpec.Code(current.get().objectKey(), current.get().sha256()))) {
                    renewed++;
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not renew the code URL of environment {}: {}", env.id(), e.getMessage());
            }
        }
        if (renewed > 0) {
            LOG.info("Signed the code URLs of {} running environments again", renewed);
        }
        return renewed;
    }
}
