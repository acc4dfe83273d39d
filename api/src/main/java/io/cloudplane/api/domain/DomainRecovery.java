package io.cloudplane.api.domain;

import io.cloudplane.api.common.RecoveryLoop;
import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.common.WorkflowIds;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Starts again the workflow of every domain that has none (Temporal unreachable when it was added,
 * the embedded Temporal's memory lost in a restart): without it a domain would never be checked,
 * issued or renewed. A run started again reads the row and carries on from its state.
 */
@Singleton
@Requires(property = "cloudplane.domain.recovery.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
public class DomainRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(DomainRecovery.class);
    /** A domain this young, added since this process started, may still be starting its workflow in the request that added it. */
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final Instant startedAt = Instant.now();
    private final DomainRepository domains;
    private final EnvironmentRepository environments;
    private final DomainService service;
    private final DomainWorkflows workflows;
    private final WorkflowClient client;

    public DomainRecovery(DomainRepository domains, EnvironmentRepository environments, DomainService service, DomainWorkflows workflows,
                          WorkflowClient client) {
        this.domains = domains;
        this.environments = environments;
        this.service = service;
        this.workflows = workflows;
        this.client = client;
    }

    /** Returns how many workflows it started again. */
    @Scheduled(initialDelay = "${cloudplane.domain.recovery.initial-delay:4s}",
            fixedDelay = "${cloudplane.domain.recovery.interval:10m}")
    public int recover() {
        return RecoveryLoop.overPages(LOG, domains::findPage, DomainRecord::id, domain -> "check the workflow of domain " + domain.id(),
                this::restart);
    }

    private boolean restart(DomainRecord domain) {
        if (domain.createdAt().isAfter(startedAt) && domain.createdAt().isAfter(Instant.now().minus(GRACE))
                || WorkflowExecutions.isRunning(client, WorkflowIds.domain(domain.id().toString()))) {
            return false;
        }
        var env = environments.findById(domain.envId());
        if (env.isEmpty()) {
            return false; // deleted meanwhile: its domains go with it
        }
        workflows.start(domain, service.gatewayHost(env.get()));
        LOG.info("Started the workflow of domain {} again", domain.id());
        return true;
    }
}
