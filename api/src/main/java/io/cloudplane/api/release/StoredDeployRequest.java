package io.cloudplane.api.release;

import io.cloudplane.api.operation.StoredRequest;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.release.DeploySettings;
import io.cloudplane.infra.temporal.WorkflowExecutions;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.workflows.release.DeployRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * A deployment's request: the release it deploys, from its deployments row. A deployment whose
 * promotion is running is left to the promotion, which starts it as its child.
 */
@Singleton
class StoredDeployRequest implements StoredRequest {
    private final DeploymentRepository deployments;
    private final DeploySettings settings;
    private final WorkflowClient client;

    StoredDeployRequest(DeploymentRepository deployments, DeploySettings settings, WorkflowClient client) {
        this.deployments = deployments;
        this.settings = settings;
        this.client = client;
    }

    @Override
    public OperationType type() {
        return OperationType.DEPLOY_RELEASE;
    }

    @Override
    public Optional<DeployRequest> read(OperationRecord op) {
        DeploymentRecord deployment = deployments.findById(op.id()).orElseThrow();
        if (deployment.promotionId() != null
                && WorkflowExecutions.isRunning(client, WorkflowIds.promotion(deployment.promotionId().toString()))) {
            return Optional.empty();
        }
        return Optional.of(new DeployRequest(op.id().toString(), op.appId().toString(), op.envId().toString(),
                deployment.releaseId().toString(), settings.healthTimeoutSeconds()));
    }
}
