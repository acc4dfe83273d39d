package io.cloudplane.api.console;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.team.InvitationController;
import io.cloudplane.api.team.TeamViews;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppListChanges;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.expiredForm;
import static io.cloudplane.api.console.ConsoleSupport.form;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;

/**
 * The page an invitation's email links to ({@code /invitations/{token}}, InvitationMail.acceptLink): the
 * invitation (app, environment, inviter, profile) as the API describes it; signed in, an Accept button
 * (a POST with its CSRF token: mail scanners open links) that makes the membership through the API and
 * goes to the apps list, where the app is under Shared Applications; signed out, links to sign in or
 * sign up that come back here. An invitation that cannot be used says why, in the API's words.
 */
@Controller("/invitations/{token}")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleInvitationController {
    /** What an invitation token can look like; anything else is no invitation, without asking the API. */
    private static final String TOKEN = "[A-Za-z0-9_-]{1,200}";
    private final ConsoleSupport support;
    private final InvitationController invitationsApi;
    private final UserRepository users;
    private final AppListChanges appListChanges;

    public ConsoleInvitationController(ConsoleSupport support, InvitationController invitationsApi, UserRepository users,
                                       AppListChanges appListChanges) {
        this.support = support;
        this.invitationsApi = invitationsApi;
        this.users = users;
        this.appListChanges = appListChanges;
    }

    @Get
    public HttpResponse<?> show(String token, HttpRequest<?> http) {
        return render(HttpStatus.OK, token, http, null);
    }

    @Post("/accept")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> accept(String token, @Body @Nullable String body, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return seeOther(ConsoleController.SIGN_IN + "?to=" + path(token));
        }
        Map<String, String> form = form(body);
        if (!support.validForm(http, form)) {
            return expiredForm();
        }
        if (!token.matches(TOKEN)) {
            return render(HttpStatus.NOT_FOUND, token, http, null);
        }
        try {
            invitationsApi.accept(token, auth(user.get()));
            appListChanges.changed(); // as the API's AppListInvalidation does after a change
            return seeOther("/apps#shared");
        } catch (ApiException e) {
            return render(e.status(), token, http, ConsoleSupport.message(e));
        }
    }

    private HttpResponse<?> render(HttpStatus status, String token, HttpRequest<?> http, @Nullable String error) {
        Optional<UUID> user = support.user(http);
        String signedInAs = user.flatMap(users::findById).map(UserRecord::email).orElse(null);
        String csrf = signedInAs == null ? "" : support.csrf(http);
        String safeToken = token.matches(TOKEN) ? token : "";
        TeamViews.PublicInvitation invitation = null;
        HttpStatus shown = status;
        String problem = error;
        String notValid = "This invitation link is not valid: check that it is complete, or ask for a new invitation.";
        if (safeToken.isEmpty()) {
            shown = HttpStatus.NOT_FOUND;
            problem = notValid;
        } else {
            try {
                invitation = invitationsApi.get(safeToken);
            } catch (ApiException e) {
                shown = e.status();
                problem = e.status() == HttpStatus.NOT_FOUND ? notValid : e.getMessage();
            }
        }
        return page(shown, "invitation", new DeployPages.Invitation(csrf, safeToken, invitation, signedInAs, problem));
    }

    private static String path(String token) {
        return "/invitations/" + (token.matches(TOKEN) ? token : "");
    }
}
