package io.cloudplane.api.apps;

import io.cloudplane.api.operations.Accepted;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.operations.OperationView;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.persistence.EnvironmentRecord;
import io.cloudplane.infra.persistence.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.persistence.EnvironmentRepository;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import java.util.Locale;
import java.util.UUID;

@Controller("/api/v1/apps/{appId}/environments")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
public class EnvironmentController {
    private final EnvironmentRepository environments;
    private final AccessService access;
    private final AppService service;
    private final Accepted accepted;

    public EnvironmentController(EnvironmentRepository environments, AccessService access, AppService service, Accepted accepted) {
        this.environments = environments;
        this.access = access;
        this.service = service;
        this.accepted = accepted;
    }

    @Get
    public Views.EnvironmentList list(UUID appId, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        return new Views.EnvironmentList(environments.findByAppId(appId).stream()
                .filter(env -> a.sees(env.id()))
                .map(Views.EnvironmentView::of)
                .toList());
    }

    /** Adds a staging, production or custom environment; 202 with its provisioning operation. */
    @Post
    public HttpResponse<OperationView> create(UUID appId, @Valid @Body Requests.CreateEnvironment request, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireOwner(caller, appId);
        EnvironmentType type = EnvironmentType.valueOf(request.type().toUpperCase(Locale.ROOT));
        return accepted.launch(service.createEnvironment(a, caller, request.name(), type, request.description()));
    }

    @Get("/{envId}")
    public Views.EnvironmentView get(UUID appId, UUID envId, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        return Views.EnvironmentView.of(access.requireEnvironment(a, envId));
    }

    @Delete("/{envId}")
    public HttpResponse<OperationView> delete(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        if (a.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner may delete an environment");
        }
        return accepted.launch(service.deleteEnvironment(a, caller, env));
    }
}
