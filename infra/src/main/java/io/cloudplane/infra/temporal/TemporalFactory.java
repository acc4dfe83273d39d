package io.cloudplane.infra.temporal;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * The connection to Temporal: {@code TEMPORAL_TARGET} (host:port) and {@code TEMPORAL_NAMESPACE}
 * for a cluster, or the embedded server when no target is set.
 */
@Factory
public class TemporalFactory {

    @Singleton
    @Bean(preDestroy = "shutdown")
    public WorkflowServiceStubs workflowServiceStubs(TemporalSettings settings, BeanProvider<EmbeddedTemporalServer> embedded) {
        String resolved = settings.target().isBlank() ? embedded.get().target() : settings.target();
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(resolved)
                .setRpcTimeout(Duration.ofSeconds(10))
                .build());
    }

    @Singleton
    public WorkflowClient workflowClient(WorkflowServiceStubs stubs, TemporalSettings settings) {
        return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    }
}
