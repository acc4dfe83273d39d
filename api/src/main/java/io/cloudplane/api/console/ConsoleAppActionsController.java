package io.cloudplane.api.console;

import io.cloudplane.api.app.AppController;
import io.cloudplane.api.app.CloneController;
import io.cloudplane.api.app.Views;
import io.cloudplane.api.operation.OperationController;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.app.AppListChanges;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
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
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.htmx;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;

/**
 * The apps list's actions on an app: clone it (then its panel follows the clone's steps), delete it
 * after typing its name (then a page follows the deletion's steps, since the app's panel goes with it),
 * wake a sleeping sandbox. The forms are on each app's card; {@code /apps/{appId}/actions} shows them
 * alone, with a refusal. Through the API's AppController, CloneController and OperationController.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleAppActionsController {
    private final ConsoleSupport support;
    private final AccessService access;
    private final AppController appsApi;
    private final CloneController cloneApi;
    private final OperationController operationsApi;
    private final EnvironmentRepository environments;
    private final AppListChanges appListChanges;

    public ConsoleAppActionsController(ConsoleSupport support, AccessService access, AppController appsApi, CloneController cloneApi,
                                       OperationController operationsApi, EnvironmentRepository environments,
                                       AppListChanges appListChanges) {
        this.support = support;
        this.access = access;
        this.appsApi = appsApi;
        this.cloneApi = cloneApi;
        this.operationsApi = operationsApi;
        this.environments = environments;
        this.appListChanges = appListChanges;
    }

    @Get("/apps/{appId}/actions")
    public HttpResponse<?> actions(UUID appId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        return show(HttpStatus.OK, user.get(), appId, null, null, null, http);
    }

    @Post("/apps/{appId}/clone")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> cloneApp(UUID appId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            String name = trimmed(form.get("name"));
            try {
                Views.AppView clone = cloneApi.cloneApp(appId, new CloneController.CloneBody(name, null), auth(user)).body();
                appListChanges.changed(); // as the API's AppListInvalidation does after a change
                return seeOther("/apps/" + clone.id() + (clone.operation() == null ? "" : "?operation=" + clone.operation().id()));
            } catch (ApiException e) {
                return show(e.status(), user, appId, ConsoleSupport.message(e), "name", name, http);
            }
        });
    }

    /** Deletes the app once its name is typed exactly; a wrong name deletes nothing. */
    @Post("/apps/{appId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> deleteApp(UUID appId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            Access a = access.requireApp(user, appId);
            String typed = form.get("confirm");
            if (typed == null || !typed.strip().equals(a.app().name())) {
                return show(HttpStatus.UNPROCESSABLE_ENTITY, user, appId,
                        "Type the app's name, " + a.app().name() + ", exactly to delete it: nothing was deleted.", "confirm", null, http);
            }
            try {
                OperationView op = appsApi.delete(appId, auth(user)).body();
                appListChanges.changed();
                return seeOther("/apps/operations/" + op.id());
            } catch (ApiException e) {
                return show(e.status(), user, appId, ConsoleSupport.message(e), "confirm", null, http);
            }
        });
    }

    /** Wakes a sleeping sandbox: then its panel follows the wake's steps. */
    @Post("/apps/{appId}/wake")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> wake(UUID appId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            try {
                OperationView op = appsApi.wake(appId, auth(user)).body();
                appListChanges.changed();
                return seeOther("/apps/" + appId + "?operation=" + op.id());
            } catch (ApiException e) {
                return show(e.status(), user, appId, ConsoleSupport.message(e), "wake", null, http);
            }
        });
    }

    /**
     * An operation's steps as they happen, on a page of its own (a deletion's: the app's panel goes away
     * with the app); htmx polls it for the section alone. The API's rules: its launcher, or a member of its app.
     */
    @Get("/apps/operations/{operationId}")
    public HttpResponse<?> progress(UUID operationId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        OperationView op = operationsApi.get(operationId, auth(user.get()));
        boolean fragment = htmx(http);
        return page(HttpStatus.OK, fragment ? "generalOperation" : "generalProgress",
                new GeneralPages.Progress(support.csrf(http), op, "/apps/operations/" + operationId, fragment));
    }

    private HttpResponse<?> show(HttpStatus status, UUID user, UUID appId, @Nullable String error, @Nullable String errorField,
                                 @Nullable String cloneName, HttpRequest<?> http) {
        Access a = access.requireApp(user, appId).requireTeam(Access.END_USERS_REFUSED);
        boolean sandbox = a.app().kind() == AppRecord.AppKind.SANDBOX;
        boolean sleeping = environments.findByAppId(appId).stream().anyMatch(e -> e.status() == EnvironmentStatus.SLEEPING);
        return page(status, "generalActions", new GeneralPages.AppActions(support.csrf(http), appId, a.app().name(),
                a.role() == Access.Role.OWNER, sandbox, sleeping, error, errorField, cloneName));
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
