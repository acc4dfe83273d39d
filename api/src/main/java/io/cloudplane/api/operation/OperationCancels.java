package io.cloudplane.api.operation;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import jakarta.inject.Singleton;

import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /operations/{id}/cancel}: who may cancel an operation, which operations stop, and the
 * words of a refusal. Cancelling asks the operation's workflow to cancel (Temporal's cancel request);
 * the workflow cleans up what it made and records the operation CANCELLED itself.
 *
 * <p>Who: whoever started it, and the app's owner. A developer who sees an operation someone else
 * started may not stop it (403): the kinds that stop (a provisioning) are the owner's to start.
 * What: a provisioning that has not reached its server (not a sandbox's, which could be neither deleted nor made again). Every other kind is refused with a 409 that
 * says why, since stopping it half-way would leave something in a state no one chose.
 */
@Singleton
public class OperationCancels {
    /** The provisioning's step from which the server exists: from there on, it runs to its end. */
    static final String PROVISIONING_POINT_OF_NO_RETURN = "start-server";

    private final AccessService access;
    private final WorkflowClient client;
    private final Accepted accepted;
    private final AppRepository apps;

    public OperationCancels(AccessService access, WorkflowClient client, Accepted accepted, AppRepository apps) {
        this.access = access;
        this.client = client;
        this.accepted = accepted;
        this.apps = apps;
    }

    /** Asks the workflow of {@code op} (which the caller sees) to cancel; throws the refusal otherwise. */
    public void cancel(OperationRecord op, UUID caller) {
        if (!caller.equals(op.userId())
                && access.requireApp(caller, op.appId()).role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner, or whoever started it, may cancel this operation");
        }
        if (op.status().isFinal()) {
            throw ApiException.conflict("Operation " + op.id() + " has already ended (" + op.status() + "): there is nothing to cancel");
        }
        refusal(op).ifPresent(why -> {
            throw ApiException.conflict(why);
        });
        try {
            client.newUntypedWorkflowStub(op.workflowId(), Optional.ofNullable(op.runId()), Optional.empty()).cancel();
        } catch (WorkflowNotFoundException notRunning) {
            throw ApiException.conflict("Operation " + op.id() + " has no running workflow to cancel: it has not started yet, "
                    + "or it has just ended. Try again in a few seconds, or read the operation");
        }
    }

    /** Whether the console offers a Cancel button for this operation as it is shown: the kinds that stop, before their point of no return. */
    public boolean offered(OperationView op) {
        return (op.status().equals("PENDING") || op.status().equals("RUNNING"))
                && op.type().equals(OperationType.PROVISION_ENVIRONMENT.name())
                && op.steps().stream().noneMatch(step -> step.name().equals(PROVISIONING_POINT_OF_NO_RETURN))
                && !sandbox(op.appId());
    }

    /** Why this operation cannot be cancelled now, in words; empty when it can. */
    Optional<String> refusal(OperationRecord op) {
        return Optional.ofNullable(switch (op.type()) {
            case PROVISION_ENVIRONMENT -> sandbox(op.appId())
                    ? "A sandbox's provisioning cannot be cancelled: a sandbox is neither deleted nor created again on request, "
                      + "so it would be left without a server"
                    : accepted.view(op).steps().stream()
                    .anyMatch(step -> step.name().equals(PROVISIONING_POINT_OF_NO_RETURN))
                    ? "This provisioning has reached its server (step " + PROVISIONING_POINT_OF_NO_RETURN + "): it runs to its end. "
                      + "Delete the environment afterwards if it is not wanted"
                    : null;
            case CLONE_APPLICATION -> "A clone cannot be cancelled: it copies the code and starts the new app's server in one run. "
                    + "Delete the new app afterwards if it is not wanted";
            case DELETE_ENVIRONMENT, DELETE_APPLICATION -> "A deletion cannot be cancelled: what it has removed is gone, and stopping it "
                    + "half-way would leave something neither there nor gone";
            case RESTORE_ENVIRONMENT -> "A restore cannot be cancelled: stopped half-way, the environment would have neither its own data "
                    + "nor the backup's. If it fails, it puts the environment's own data back by itself";
            case DEPLOY_RELEASE -> "A deployment cannot be cancelled: once the new code is switched in, only its own health-gated "
                    + "roll-back may bring the previous code back. Deploy the previous release afterwards to go back";
            case UPDATE_SERVER -> "A server update cannot be cancelled: it rolls back to the previous version by itself if the new one "
                    + "is not healthy. Update again afterwards to go back";
            case CREATE_RELEASE -> "Making a release cannot be cancelled: it is one copy of the code, done in moments";
            case STOP_SERVER, START_SERVER, RESTART_SERVER, SLEEP_SANDBOX, WAKE_SANDBOX -> "A " + verb(op.type())
                    + " cannot be cancelled: it is one short action of the server. Act again once it has ended";
        });
    }

    private boolean sandbox(UUID appId) {
        return apps.findById(appId).map(app -> app.kind() == AppRecord.AppKind.SANDBOX).orElse(false);
    }

    private static String verb(OperationType type) {
        return switch (type) {
            case STOP_SERVER -> "stop";
            case START_SERVER -> "start";
            case RESTART_SERVER -> "restart";
            case SLEEP_SANDBOX -> "sandbox's sleep";
            default -> "sandbox's wake";
        };
    }
}
