package io.cloudplane.infra.temporal;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * The connection to Temporal: {@code TEMPORAL_TARGET} (host:port), {@code TEMPORAL_NAMESPACE} and
 * {@code TEMPORAL_API_KEY} for a cluster (over TLS, but plain gRPC to a loopback target: the embedded
 * server of another Cloudplane process on this machine), or the embedded server when no target is
 * set, with its generated API key over plain gRPC on loopback. The SDK's own metrics (requests, polls, task
 * latencies: {@code temporal_*}) go into the application's Micrometer registry through a tally scope set on the
 * stubs, which the clients and the worker factory built on them use too; they are on {@code GET /metrics}.
 */
@Factory
public class TemporalFactory {

    /** The SDK's metrics, reported into Micrometer every 10 s. */
    @Singleton
    @Bean(preDestroy = "close")
    public Scope temporalMetricsScope(MeterRegistry registry) {
        return new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
                .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
    }

    @Singleton
    @Bean(preDestroy = "shutdown")
    public WorkflowServiceStubs workflowServiceStubs(TemporalSettings settings, BeanProvider<EmbeddedTemporalServer> embedded,
                                                     Scope metricsScope) {
        WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder().setRpcTimeout(Duration.ofSeconds(10))
                .setMetricsScope(metricsScope);
        if (settings.target().isBlank()) {
            EmbeddedTemporalServer server = embedded.get();
            options.setTarget(server.target());
            server.apiKey().ifPresent(key -> options.addApiKey(() -> key)
                    // The SDK turns TLS on with an API key; the embedded server speaks plain gRPC on loopback.
                    .setEnableHttps(false));
        } else {
            options.setTarget(settings.target());
            if (!settings.apiKey().isBlank()) {
                options.addApiKey(settings::apiKey);
                if (onLoopback(settings.target())) {
                    // Another Cloudplane process's embedded Temporal (keys/temporal.key): plain gRPC, on loopback only.
                    options.setEnableHttps(false);
                }
            }
        }
        return WorkflowServiceStubs.newServiceStubs(options.build());
    }

    /** Whether {@code host:port} names this machine's loopback interface, where TLS would protect nothing. */
    static boolean onLoopback(String target) {
        String host = target.substring(0, target.lastIndexOf(':'));
        return host.equals("localhost") || host.matches("127(\\.\\d{1,3}){3}");
    }

    @Singleton
    public WorkflowClient workflowClient(WorkflowServiceStubs stubs, TemporalSettings settings) {
        return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    }
}
