package io.cloudplane.api.operation;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
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

    public OperationController(OperationRepository operations, AccessService access, Accepted accepted) {
        this.operations = operations;
        this.access = access;
        this.accepted = accepted;
    }

    /**
     * An operation is visible to whoever started it, and to the app's owners and developers
     * while the app exists.
     */
    @Get("/{id}")
    @Operation(operationId = "getOperation")
    public OperationView get(UUID id, Authentication auth) {
        UUID caller = Caller.id(auth);
        OperationRecord op = operations.findById(id)
                .filter(o -> caller.equals(o.userId()) || access.isMemberOf(caller, o.appId()))
                .orElseThrow(() -> ApiException.notFound("Operation " + id));
        return accepted.view(op);
    }
}
