package io.cloudplane.api.team;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.team.InvitationRecord;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import java.net.URI;
import java.util.UUID;

/**
 * An environment's members and its invitations. Who may invite (and resend, revoke): the owner
 * anywhere, developers in development and staging; production takes the owner.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/members")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "members")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class MemberController {
    private final InvitationService service;
    private final InvitationWorkflows workflows;

    public MemberController(InvitationService service, InvitationWorkflows workflows) {
        this.service = service;
        this.workflows = workflows;
    }

    /** The app's owner and developers, this environment's end users, and its pending invitations. */
    @Get
    @Problems.Forbidden
    @Operation(operationId = "listMembers")
    public TeamViews.Members list(UUID appId, UUID envId, Authentication auth) {
        return service.members(Caller.id(auth), appId, envId);
    }

    /**
     * Invites a person by email with a profile: a developer of the app from an environment with the
     * "invite developers" service (development), an end user of this environment from one with
     * "invite users" (staging, production). The email with the accept link goes from a workflow.
     */
    @Post
    @Status(HttpStatus.CREATED)
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Problems.TooManyRequests
    @Operation(operationId = "inviteMember")
    public HttpResponse<TeamViews.Invitation> invite(UUID appId, UUID envId, @Valid @Body TeamRequests.Invite request, Authentication auth) {
        InvitationRecord invitation = service.invite(Caller.id(auth), appId, envId, request);
        workflows.start(invitation);
        return HttpResponse.created(TeamViews.Invitation.of(invitation),
                URI.create("/api/v1/apps/" + appId + "/environments/" + envId + "/members/invitations/" + invitation.id()));
    }

    /** Sends the invitation again with a new token (the old one stops working) and a new expiry. */
    @Post("/invitations/{invitationId}/resend")
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "resendInvitation")
    public TeamViews.Invitation resend(UUID appId, UUID envId, UUID invitationId, Authentication auth) {
        InvitationRecord invitation = service.resend(Caller.id(auth), appId, envId, invitationId);
        workflows.resent(invitation);
        return TeamViews.Invitation.of(invitation);
    }

    /** Revokes a pending invitation: its token stops working. */
    @Delete("/invitations/{invitationId}")
    @Status(HttpStatus.NO_CONTENT)
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "revokeInvitation")
    public void revoke(UUID appId, UUID envId, UUID invitationId, Authentication auth) {
        if (service.revoke(Caller.id(auth), appId, envId, invitationId)) {
            workflows.closed(invitationId);
        }
    }
}
