package io.cloudplane.api.team;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.code.ApplicationRoles;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Changing a member's profile and removing a member. Who may: the owner anywhere, developers
 * outside production (production takes the owner); any member may remove themselves. A developer
 * is a member of every environment of the app, so their profile and their removal are the app's;
 * an end user's are this environment's.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/members")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "members")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class MembershipController {
    private static final String WHO_MAY = "Members are managed by the app's owner, and by its developers outside production";
    private final AccessService access;
    private final TeamChanges team;
    private final ApplicationRoles roles;
    private final ApplicationEventPublisher<MembershipChangedEvent> events;

    public MembershipController(AccessService access, TeamChanges team, ApplicationRoles roles,
                                ApplicationEventPublisher<MembershipChangedEvent> events) {
        this.access = access;
        this.team = team;
        this.roles = roles;
        this.events = events;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record ChangeProfile(@Nullable String profile) {
    }

    /** {@code kind}: {@code developer} (the owner too, with {@code owner} true) or {@code user}; {@code profile} null for a developer not given one. */
    @Serdeable
    public record MemberView(UUID userId, String firstName, String lastName, String email, @Nullable String profile, String kind,
                             boolean owner, Instant since) {
        static MemberView of(TeamChanges.Member m) {
            return new MemberView(m.user().id(), m.user().firstName(), m.user().lastName(), m.user().email(), m.profile(),
                    m.kind().name().toLowerCase(), m.owner(), m.since());
        }
    }

    /** Changes the member's profile: one of the application's roles (roles.json of the environment's code). */
    @Patch("/{userId}")
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "changeMemberProfile")
    public MemberView changeProfile(UUID appId, UUID envId, UUID userId, @Body ChangeProfile body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam(WHO_MAY).requireOwnerFor(env, "Production's members are managed by the app's owner");
        TeamChanges.Member member = team.find(appId, envId, userId).orElseThrow(() -> ApiException.notFound("Member " + userId));
        if (member.owner() && a.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the owner changes the owner's profile");
        }
        AppService.requireActive(a.app());
        String profile = validProfile(envId, body.profile());
        List<MembershipChangedEvent> changes = team.changeProfile(a.app(), env, member, profile, caller);
        changes.forEach(events::publishEvent);
        return MemberView.of(new TeamChanges.Member(member.user(), member.kind(), member.owner(), profile, member.since()));
    }

    /**
     * Removes the member: a developer from the app (every environment), an end user from this
     * environment. Any member may remove themselves; the owner cannot be removed (409). Their next
     * call on the app answers 404.
     */
    @Delete("/{userId}")
    @Status(HttpStatus.NO_CONTENT)
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "removeMember")
    public HttpResponse<Void> remove(UUID appId, UUID envId, UUID userId, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        if (!userId.equals(caller)) {
            a.requireTeam(WHO_MAY).requireOwnerFor(env, "Production's members are managed by the app's owner");
        }
        TeamChanges.Member member = team.find(appId, envId, userId).orElseThrow(() -> ApiException.notFound("Member " + userId));
        List<MembershipChangedEvent> changes = team.remove(a.app(), env, member, caller);
        changes.forEach(events::publishEvent);
        return HttpResponse.noContent();
    }

    private String validProfile(UUID envId, String given) {
        if (given == null || given.isBlank()) {
            throw ApiException.badRequest("profile", "required: one of " + String.join(", ", profiles(envId).names()));
        }
        ApplicationRoles.Profiles profiles = profiles(envId);
        return profiles.find(given).orElseThrow(() -> ApiException.badRequest("profile", "not a profile of this application; "
                + (profiles.source() == ApplicationRoles.Profiles.Source.DEFAULT ? "without a " + ApplicationRoles.FILE + ", the one is "
                : "its " + ApplicationRoles.FILE + " declares ") + String.join(", ", profiles.names())));
    }

    private ApplicationRoles.Profiles profiles(UUID envId) {
        try {
            return roles.of(envId);
        } catch (ApplicationRoles.InvalidRolesException e) {
            throw ApiException.unprocessable(e.getMessage());
        }
    }
}
