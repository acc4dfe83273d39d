package io.cloudplane.api.operation;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.UUID;

@Controller("/api/v1/operations")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "operations")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class OperationController {
    private final OperationRepository operations;
    private final AccessService access;
    private final Accepted accepted;
    private final OperationCancels cancels;

    public OperationController(OperationRepository operations, AccessService access, Accepted accepted, OperationCancels cancels) {
        this.operations = operations;
        this.access = access;
        this.accepted = accepted;
        this.cancels = cancels;
    }

    /**
     * An operation is visible to whoever started it, and to the app's owners and developers
     * while the app exists.
     */
    @Get("/{id}")
    @Operation(operationId = "getOperation")
    public OperationView get(UUID id, Authentication auth) {
        return accepted.view(visible(id, Caller.id(auth)));
    }

    /**
     * Stops an operation where stopping makes sense: a provisioning that has not reached its server.
     * Its workflow removes what it made, and the operation ends CANCELLED (202 with the operation, as it is
     * now). Whoever started it and the app's owner may; 409 says why when it cannot be stopped.
     */
    @Post("/{id}/cancel")
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "cancelOperation")
    public MutableHttpResponse<OperationView> cancel(UUID id, Authentication auth) {
        UUID caller = Caller.id(auth);
        OperationRecord op = visible(id, caller);
        cancels.cancel(op, caller);
        return accepted.respond(operations.findById(id).orElse(op));
    }

    private OperationRecord visible(UUID id, UUID caller) {
        return operations.findById(id)
                .filter(o -> caller.equals(o.userId()) || access.isMemberOf(caller, o.appId()))
                .orElseThrow(() -> ApiException.notFound("Operation " + id));
    }
}
