package io.cloudplane.api.account;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.team.InvitationWorkflows;
import io.cloudplane.api.team.TeamViews;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.api.security.RateLimits;
import io.cloudplane.infra.identity.IdentityProvider.AuthenticationResult;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.token.jwt.generator.JwtTokenGenerator;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

@Controller("/api/v1")
@Secured(SecurityRule.IS_ANONYMOUS)
@Tag(name = "accounts")
public class AccountController {
    private final AccountService accounts;
    private final io.cloudplane.api.sandbox.NewSandboxes newSandboxes;
    private final Accepted accepted;
    private final JwtTokenGenerator tokens;
    private final int sessionSeconds;
    private final RateLimits rateLimits;
    private final InvitationWorkflows invitationWorkflows;
    private final ApplicationEventPublisher<MembershipChangedEvent> membershipEvents;
    private final SignIn signIn;

    public AccountController(AccountService accounts, io.cloudplane.api.sandbox.NewSandboxes newSandboxes, Accepted accepted,
                             JwtTokenGenerator tokens,
                             CloudplaneSettings settings,
                             RateLimits rateLimits, InvitationWorkflows invitationWorkflows,
                             ApplicationEventPublisher<MembershipChangedEvent> membershipEvents, SignIn signIn) {
        this.signIn = signIn;
        this.invitationWorkflows = invitationWorkflows;
        this.membershipEvents = membershipEvents;
        this.rateLimits = rateLimits;
        this.accounts = accounts;
        this.newSandboxes = newSandboxes;
        this.accepted = accepted;
        this.tokens = tokens;
        this.sessionSeconds = settings.sessionLifetimeSeconds();
    }

    /**
     * Signs up: the user and their sandbox, whose development environment is provisioned by a
     * workflow. With {@code invitationToken}, the account is a member at once; through a user
     * invitation it gets no sandbox (an end user of that application).
     */
    @Post("/accounts")
    @Status(HttpStatus.CREATED)
    @Problems.BadRequest
    @Problems.Forbidden
    @Problems.NotFound
    @Problems.Conflict
    @Problems.Gone
    @Problems.TooManyRequests
    @Operation(operationId = "signUp")
    public HttpResponse<AccountViews.Created> signUp(@Valid @Body AccountRequests.CreateAccount request, HttpRequest<?> http) {
        rateLimits.signUp(http, request.email());
        AccountService.NewAccount created = accounts.create(request);
        OperationRecord provisioning = created.sandboxProvisioning();
        if (provisioning != null) {
            newSandboxes.launch(provisioning, created.user().id());
        }
        TeamViews.Membership membership = null;
        if (created.joined() != null) {
            var invitation = created.joined().invitation();
            invitationWorkflows.closed(invitation.id());
            membershipEvents.publishEvent(created.joined().event());
            membership = new TeamViews.Membership(invitation.appId(), invitation.envId(), invitation.kind(), invitation.profile());
        }
        var user = created.user();
        UUID location = provisioning != null ? provisioning.appId() : membership.appId();
        return HttpResponse.created(new AccountViews.Created(
                new AccountViews.Account(user.id(), user.email(), user.firstName(), user.lastName(), user.createdAt()),
                provisioning == null ? null : provisioning.appId(), provisioning == null ? null : accepted.view(provisioning), membership),
                URI.create("/api/v1/apps/" + location));
    }

    /**
     * Logs in: a bearer token (JWT) for the API. With Cognito ({@code cloudplane.identity.provider=cognito})
     * it is the user pool's access token, valid as long as the pool's app client says.
     */
    @Post("/sessions")
    @Problems.BadRequest
    @Problems.Unauthorized
    @Problems.TooManyRequests
    @Operation(operationId = "logIn")
    public AccountViews.Session logIn(@Valid @Body AccountRequests.CreateSession request, HttpRequest<?> http) {
        AuthenticationResult.Authenticated ok = signIn.check(http, request.email(), request.password());
        if (ok.token() != null) {
            // Cognito: the pool's own access token, which CognitoTokenValidator accepts.
            return new AccountViews.Session(ok.token().accessToken(), "Bearer", ok.token().expiresIn().toSeconds());
        }
        String token = tokens.generateToken(Authentication.build(ok.userId().toString(), Map.of()), sessionSeconds)
                .orElseThrow(() -> new IllegalStateException("no session token could be signed"));
        return new AccountViews.Session(token, "Bearer", sessionSeconds);
    }
}
