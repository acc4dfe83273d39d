package io.cloudplane.api.team;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * An invitation seen by whoever holds its token, and its acceptance by the signed-in account it is
 * for. Accepting is a POST, never a GET: mail scanners open links.
 */
@Controller("/api/v1/invitations/{token}")
@Tag(name = "members")
@Problems.NotFound
@Problems.Gone
public class InvitationController {
    private final InvitationService service;
    private final InvitationWorkflows workflows;
    private final ApplicationEventPublisher<MembershipChangedEvent> events;
    private final io.cloudplane.api.sandbox.NewSandboxes newSandboxes;

    public InvitationController(InvitationService service, InvitationWorkflows workflows,
                                ApplicationEventPublisher<MembershipChangedEvent> events, io.cloudplane.api.sandbox.NewSandboxes newSandboxes) {
        this.newSandboxes = newSandboxes;
        this.service = service;
        this.workflows = workflows;
        this.events = events;
    }

    /** The app, environment, inviter, profile, kind and email of an invitation, for its accept page; no sign-in needed. */
    @Get
    @Secured(SecurityRule.IS_ANONYMOUS)
    @Operation(operationId = "getInvitation")
    public TeamViews.PublicInvitation get(String token) {
        return service.describe(token);
    }

    /** Accepts the invitation: the signed-in account, whose email must be the invitation's, becomes a member at once. */
    @Post("/accept")
    @Secured(SecurityRule.IS_AUTHENTICATED)
    @Problems.Unauthorized
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "acceptInvitation")
    public TeamViews.Membership accept(String token, Authentication auth) {
        InvitationService.Acceptance acceptance = service.accept(token, Caller.id(auth));
        InvitationService.Joined joined = acceptance.joined();
        if (acceptance.sandboxProvisioning() != null) {
            newSandboxes.launch(acceptance.sandboxProvisioning(), Caller.id(auth));
        }
        workflows.closed(joined.invitation().id());
        events.publishEvent(joined.event());
        var invitation = joined.invitation();
        return new TeamViews.Membership(invitation.appId(), invitation.envId(), invitation.kind(), invitation.profile());
    }
}
