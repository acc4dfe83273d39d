package io.cloudplane.api.console;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.team.MemberController;
import io.cloudplane.api.team.MembershipController;
import io.cloudplane.api.team.TeamRequests;
import io.cloudplane.api.team.TeamViews;
import io.cloudplane.infra.app.AppListChanges;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.code.ApplicationRoles;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.ConstraintViolationException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;

/**
 * The app panel's Team tab ({@code /apps/{appId}/environments/{envId}/team}): the environment's members
 * and pending invitations; invite (first name, last name, email, one of the application's profiles),
 * resend, revoke, remove (or leave), change a profile. It offers only what the API lets the signed-in
 * user do (the owner anywhere, developers outside production, anyone may leave), and every action calls
 * the API's own controllers, whose refusal the tab shows in words with its status.
 */
@Controller("/apps/{appId}/environments/{envId}/team")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleTeamController {
    /** What the tab says after a change (by a fixed word in its address: nothing of the request is shown). */
    private static final Map<String, String> DONE = Map.of(
            "invited", "The invitation is sent: the email with its link is on its way.",
            "resent", "The invitation was sent again; its previous link no longer works.",
            "revoked", "The invitation was revoked; its link no longer works.",
            "profile", "The profile was changed.",
            "removed", "The member was removed.");
    private final ConsoleSupport support;
    private final AccessService access;
    private final MemberController membersApi;
    private final MembershipController membershipsApi;
    private final ApplicationRoles roles;
    private final AppListChanges appListChanges;

    public ConsoleTeamController(ConsoleSupport support, AccessService access, MemberController membersApi,
                                 MembershipController membershipsApi, ApplicationRoles roles, AppListChanges appListChanges) {
        this.support = support;
        this.access = access;
        this.membersApi = membersApi;
        this.membershipsApi = membershipsApi;
        this.roles = roles;
        this.appListChanges = appListChanges;
    }

    @Get
    public HttpResponse<?> tab(UUID appId, UUID envId, @Nullable @QueryValue("done") String done, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        return render(HttpStatus.OK, http, user.get(), appId, envId, null, DONE.get(done == null ? "" : done), DeployPages.Invite.EMPTY);
    }

    @Post("/invitations")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> invite(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            membersApi.invite(appId, envId, new TeamRequests.Invite(trimmed(form.get("email")),
                    trimmed(form.get("firstName")), trimmed(form.get("lastName")), trimmed(form.get("profile"))), auth(user));
            return done(appId, envId, "invited");
        });
    }

    @Post("/invitations/{invitationId}/resend")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> resend(UUID appId, UUID envId, UUID invitationId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            membersApi.resend(appId, envId, invitationId, auth(user));
            return done(appId, envId, "resent");
        });
    }

    @Post("/invitations/{invitationId}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revoke(UUID appId, UUID envId, UUID invitationId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            membersApi.revoke(appId, envId, invitationId, auth(user));
            return done(appId, envId, "revoked");
        });
    }

    @Post("/members/{userId}/profile")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> changeProfile(UUID appId, UUID envId, UUID userId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            membershipsApi.changeProfile(appId, envId, userId, new MembershipController.ChangeProfile(trimmed(form.get("profile"))),
                    auth(user));
            return done(appId, envId, "profile");
        });
    }

    @Post("/members/{userId}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> remove(UUID appId, UUID envId, UUID userId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            membershipsApi.remove(appId, envId, userId, auth(user));
            appListChanges.changed(); // as the API's AppListInvalidation does after a change
            if (userId.equals(user)) {
                return seeOther("/apps"); // who left no longer sees the app
            }
            return done(appId, envId, "removed");
        });
    }

    /** The API's refusals that no form caught (a stranger's 404, an end user's 403): a page in words. */
    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }

    // ---- helpers

    private HttpResponse<?> act(UUID appId, UUID envId, @Nullable String body, HttpRequest<?> http, ConsoleSupport.FormAction action) {
        return support.post(http, body, (user, form) -> {
            support.frame(http, user, appId, envId, ConsolePages.Concern.TEAM); // 404 for a stranger before anything is done
            DeployPages.Invite kept = new DeployPages.Invite(form.get("firstName"), form.get("lastName"), form.get("email"), form.get("profile"));
            try {
                return action.run(user, form);
            } catch (ApiException e) {
                return render(e.status(), http, user, appId, envId, ConsoleSupport.message(e), null, kept);
            } catch (ConstraintViolationException e) {
                return render(HttpStatus.BAD_REQUEST, http, user, appId, envId, ConsoleSupport.message(e), null, kept);
            }
        });
    }

    /** After a change, the tab again (a reload changes nothing more) with a word on what was done. */
    private static HttpResponse<?> done(UUID appId, UUID envId, String what) {
        return seeOther("/apps/" + appId + "/environments/" + envId + "/team?done=" + what);
    }

    private HttpResponse<?> render(HttpStatus status, HttpRequest<?> http, UUID user, UUID appId, UUID envId, @Nullable String error,
                                   @Nullable String notice, DeployPages.Invite invite) {
        ConsolePages.Frame frame = support.frame(http, user, appId, envId, ConsolePages.Concern.TEAM);
        Access a = access.requireApp(user, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        boolean owner = a.role() == Access.Role.OWNER;
        // the API's rules: the owner anywhere, developers outside production (MemberController, MembershipController)
        boolean manages = a.role() != Access.Role.USER && (owner || env.type() != EnvironmentRecord.EnvironmentType.PRODUCTION);
        TeamViews.Members team = membersApi.list(appId, envId, auth(user));
        List<DeployPages.Member> members = team.members().stream().map(m -> {
            boolean isOwner = "owner".equals(m.role());
            boolean self = m.userId().equals(user);
            return new DeployPages.Member(m, isOwner, self, manages && (!isOwner || owner), !isOwner && (manages || self));
        }).toList();

        var services = frame.environment().services();
        String refusal = inviteRefusal(a, manages, services.inviteDevelopers() || services.inviteUsers());
        String kind = services.inviteDevelopers() ? "a developer of the app" : "a user of this environment";
        List<String> profiles = List.of();
        String profilesProblem = null;
        try {
            profiles = roles.of(envId).names();
        } catch (ApplicationRoles.InvalidRolesException e) {
            profilesProblem = e.getMessage();
        } catch (RuntimeException e) {
            profilesProblem = "The application's profiles cannot be read now: " + e.getMessage();
        }
        return page(status, "team", new DeployPages.Team(frame, "/apps/" + appId + "/environments/" + envId + "/team", members,
                team.invitations(), refusal == null, refusal, kind, profiles, profilesProblem, error, notice, invite));
    }

    /** Why the user cannot invite to this environment (the API's rules, InvitationService), or null. */
    private static @Nullable String inviteRefusal(Access a, boolean manages, boolean invites) {
        if (!manages) {
            return "Only the app's owner invites people to production.";
        }
        if (a.app().kind() == AppRecord.AppKind.SANDBOX) {
            return "A sandbox is its owner's alone: clone it into an application to invite people.";
        }
        return invites ? null : "This environment has neither the \"invite developers\" nor the \"invite users\" service.";
    }
}
