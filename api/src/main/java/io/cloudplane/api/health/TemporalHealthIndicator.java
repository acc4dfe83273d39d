package io.cloudplane.api.health;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reports whether Temporal answers, next to Micronaut's own database indicator in /health. */
@Singleton
public class TemporalHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final WorkflowClient client;

    public TemporalHealthIndicator(WorkflowClient client) {
        this.client = client;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        try {
            client.getWorkflowServiceStubs().blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            healthStatus = HealthStatus.UP;
            return Map.of("namespace", client.getOptions().getNamespace());
        } catch (RuntimeException e) {
            healthStatus = HealthStatus.DOWN;
            return Map.of("namespace", client.getOptions().getNamespace(), "error", String.valueOf(e.getMessage()));
        }
    }

    @Override
    protected String getName() {
        return "temporal";
    }
}
