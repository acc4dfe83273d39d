package io.cloudplane.api.console;

import io.cloudplane.api.account.AccountController;
import io.cloudplane.api.account.AccountRequests;
import io.cloudplane.api.account.AccountViews;
import io.cloudplane.api.account.SignIn;
import io.cloudplane.api.app.AppController;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.app.Requests;
import io.cloudplane.api.app.Views;
import io.cloudplane.api.environment.EnvironmentController;
import io.cloudplane.api.operation.ActivityViews;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.server.ServerUpdateController;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.app.AppListChanges;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.blank;
import static io.cloudplane.api.console.ConsoleSupport.expiredForm;
import static io.cloudplane.api.console.ConsoleSupport.form;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;
import static io.cloudplane.api.console.ConsoleSupport.withCookie;
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
import io.micronaut.json.JsonMapper;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.ConstraintViolationException;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The console's pages, served at {@code /} beside the API: sign-in, sign-up, sign-out, the apps
 * list and the app panel's Overview. Everything it changes goes through the API's own controllers
 * and services, so the console and the API follow one set of rules. Not part of the API: hidden
 * from the OpenAPI document.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleController {
    public static final String SIGN_IN = "/sign-in";
    /** The statuses an environment passes through: its Overview polls while it has one. */
    private static final Set<EnvironmentStatus> PASSING = EnumSet.of(EnvironmentStatus.PROVISIONING, EnvironmentStatus.UPDATING,
            EnvironmentStatus.DEPLOYING, EnvironmentStatus.RESTORING, EnvironmentStatus.DELETING);
    private final ConsoleSession sessions;
    private final ConsoleCsrf csrf;
    private final SignIn signIn;
    private final AccountController accounts;
    private final AppController appsApi;
    private final EnvironmentController environmentsApi;
    private final AppService apps;
    private final AccessService access;
    private final EnvironmentRepository environments;
    private final OperationRepository operations;
    private final ActivityViews activityLog;
    private final SandboxLifecycles lifecycles;
    private final JsonMapper json;
    private final AppListChanges appListChanges;
    private final ConsoleSupport support;
    private final ServerUpdateController updatesApi;
    private final io.cloudplane.api.operation.OperationController operationsApi;
    private final io.cloudplane.api.operation.OperationCancels cancels;

    public ConsoleController(ConsoleSession sessions, ConsoleCsrf csrf, SignIn signIn, AccountController accounts, AppController appsApi,
                             EnvironmentController environmentsApi, AppService apps, AccessService access,
                             EnvironmentRepository environments, OperationRepository operations, ActivityViews activityLog,
                             SandboxLifecycles lifecycles, JsonMapper json, AppListChanges appListChanges,
                             ConsoleSupport support, ServerUpdateController updatesApi,
                             io.cloudplane.api.operation.OperationController operationsApi,
                             io.cloudplane.api.operation.OperationCancels cancels) {
        this.operationsApi = operationsApi;
        this.cancels = cancels;
        this.support = support;
        this.updatesApi = updatesApi;
        this.appListChanges = appListChanges;
        this.sessions = sessions;
        this.csrf = csrf;
        this.signIn = signIn;
        this.accounts = accounts;
        this.appsApi = appsApi;
        this.environmentsApi = environmentsApi;
        this.apps = apps;
        this.access = access;
        this.environments = environments;
        this.operations = operations;
        this.activityLog = activityLog;
        this.lifecycles = lifecycles;
        this.json = json;
    }

    @Get
    public HttpResponse<?> home(HttpRequest<?> http) {
        return seeOther(sessions.user(http).isPresent() ? "/apps" : SIGN_IN);
    }

    // ---- sign-in, sign-up, sign-out

    @Get(SIGN_IN)
    public HttpResponse<?> signInPage(HttpRequest<?> http) {
        return signInForm(HttpStatus.OK, null, null, returnPath(http.getParameters().get("to")), http);
    }

    @Post(SIGN_IN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> signIn(@Body String body, HttpRequest<?> http) {
        Map<String, String> form = form(body);
        String email = form.get("email");
        String to = returnPath(form.get("to"));
        if (!csrf.validBeforeSession(http, form.get(ConsoleCsrf.FIELD))) {
            return signInForm(HttpStatus.FORBIDDEN, email, "This form has expired or did not come from Cloudplane: please sign in again.", to, http);
        }
        if (blank(email) || blank(form.get("password")) || email.length() > 254 || form.get("password").length() > 128) {
            return signInForm(HttpStatus.BAD_REQUEST, email, "Enter your email and your password.", to, http);
        }
        try {
            UUID user = signIn.check(http, email, form.get("password")).userId();
            return seeOther(to == null ? "/apps" : to).cookie(sessions.open(user, http));
        } catch (ApiException e) {
            return signInForm(e.status(), email, e.getMessage(), to, http);
        }
    }

    @Get("/sign-up")
    public HttpResponse<?> signUpPage(HttpRequest<?> http) {
        String to = returnPath(http.getParameters().get("to"));
        return signUpForm(HttpStatus.OK, to == null ? Map.of() : Map.of("to", to), null, http);
    }

    @Post("/sign-up")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> signUp(@Body String body, HttpRequest<?> http) {
        Map<String, String> form = form(body);
        if (!csrf.validBeforeSession(http, form.get(ConsoleCsrf.FIELD))) {
            return signUpForm(HttpStatus.FORBIDDEN, form, "This form has expired or did not come from Cloudplane: please try again.", http);
        }
        try {
            HttpResponse<AccountViews.Created> created = accounts.signUp(new AccountRequests.CreateAccount(
                    trimmed(form.get("email")), form.get("password"), trimmed(form.get("firstName")), trimmed(form.get("lastName"))), http);
            UUID user = created.body().account().id();
            appListChanges.changed(); // as the API's AppListInvalidation does after a change
            String to = returnPath(form.get("to"));
            return seeOther(to == null ? "/apps" : to).cookie(sessions.open(user, http));
        } catch (ApiException e) {
            return signUpForm(e.status(), form, e.getMessage() + fieldErrors(e), http);
        } catch (ConstraintViolationException e) {
            return signUpForm(HttpStatus.BAD_REQUEST, form, violations(e), http);
        }
    }

    @Post("/sign-out")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> signOut(@Body String body, HttpRequest<?> http) {
        if (sessions.user(http).isPresent() && !csrf.validForSession(http, form(body).get(ConsoleCsrf.FIELD))) {
            return expiredForm();
        }
        return seeOther(SIGN_IN).cookie(sessions.close(http));
    }

    // ---- the apps list

    @Get("/apps")
    public HttpResponse<?> appsPage(HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        return appsList(HttpStatus.OK, user.get(), null, null, http);
    }

    @Post("/apps")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> createApp(@Body String body, HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        Map<String, String> form = form(body);
        if (!csrf.validForSession(http, form.get(ConsoleCsrf.FIELD))) {
            return expiredForm();
        }
        String name = trimmed(form.get("name"));
        try {
            Views.AppView app = appsApi.create(new Requests.CreateApp(name), auth(user.get())).body();
            appListChanges.changed(); // as the API's AppListInvalidation does after a change
            return seeOther("/apps/" + app.id() + (app.operation() == null ? "" : "?operation=" + app.operation().id()));
        } catch (ApiException e) {
            return appsList(e.status(), user.get(), e.getMessage() + fieldErrors(e), name, http);
        } catch (ConstraintViolationException e) {
            return appsList(HttpStatus.BAD_REQUEST, user.get(), violations(e), name, http);
        }
    }

    private HttpResponse<?> appsList(HttpStatus status, UUID user, @Nullable String error, @Nullable String newName, HttpRequest<?> http) {
        ConsolePages.App sandbox = null;
        List<ConsolePages.App> owned = new ArrayList<>();
        List<ConsolePages.App> shared = new ArrayList<>();
        for (Access a : apps.visibleTo(user)) {
            Views.AppView view = Views.AppView.of(a, user);
            List<ConsolePages.Environment> envs = environments.findByAppId(a.app().id()).stream()
                    .filter(env -> a.sees(env.id()))
                    .map(env -> new ConsolePages.Environment(env.id(), env.name(), env.type().name().toLowerCase(java.util.Locale.ROOT),
                            env.status().name()))
                    .toList();
            boolean sleeping = envs.stream().anyMatch(env -> env.status().equals(EnvironmentStatus.SLEEPING.name()));
            Instant deletesAt = sleeping && a.app().kind() == AppRecord.AppKind.SANDBOX ? deletionOf(a.app().id()) : null;
            ConsolePages.App app = new ConsolePages.App(a.app().id(), a.app().name(), a.app().createdAt(), envs, sleeping, deletesAt);
            switch (view.category()) {
                case "sandbox" -> sandbox = app;
                case "applications" -> owned.add(app);
                default -> shared.add(app);
            }
        }
        return page(status, "apps", new ConsolePages.Apps(sessionCsrf(http), sandbox, owned, shared, error, newName));
    }

    /** A sleeping sandbox's deletion, from its lifecycle; none when the lifecycle cannot be asked now. */
    private @Nullable Instant deletionOf(UUID sandboxId) {
        try {
            return lifecycles.schedule(sandboxId).map(Views.Lifecycle::of).map(Views.Lifecycle::deletesAt).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---- the app panel

    @Get("/apps/{appId}")
    public HttpResponse<?> panel(UUID appId, @Nullable @QueryValue("env") UUID envId, @Nullable @QueryValue("operation") UUID operationId,
                                 HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        Access a = access.requireApp(user.get(), appId).requireTeam(Access.END_USERS_REFUSED);
        List<Views.EnvironmentView> envs = environmentsApi.list(appId, auth(user.get())).items();
        if (envs.isEmpty()) {
            throw ApiException.notFound("An environment of app " + a.app().id());
        }
        UUID shown = envId == null ? envs.get(0).id() : envId;
        ConsolePages.Frame frame = support.frame(http, user.get(), appId, shown, ConsolePages.Concern.OVERVIEW);
        return page(HttpStatus.OK, "panel", new ConsolePages.Panel(frame,
                overview(http, user.get(), appId, frame.environment(), operationId, false)));
    }

    /** The Overview alone: what its polling fetches. */
    @Get("/apps/{appId}/environments/{envId}/overview")
    public HttpResponse<?> overviewFragment(UUID appId, UUID envId, @Nullable @QueryValue("operation") UUID operationId,
                                            HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        Views.EnvironmentView env = environmentsApi.get(appId, envId, auth(user.get()));
        return page(HttpStatus.OK, "overview", overview(http, user.get(), appId, env, operationId, true));
    }

    /** The Studio button: a one-time link that signs the user in at the Studio's host (the API's studio-sessions). */
    @Post("/apps/{appId}/environments/{envId}/studio")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> openStudio(UUID appId, UUID envId, @Body String body, HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        if (!csrf.validForSession(http, form(body).get(ConsoleCsrf.FIELD))) {
            return expiredForm();
        }
        EnvironmentController.StudioSession studio = environmentsApi.openStudio(appId, envId, auth(user.get())).body();
        return seeOther(studio.studioUrl());
    }

    /**
     * Update: the environment's server to the newer version the Overview offers (the API's update, with its
     * rules); the Overview then follows the update's steps. A refusal is said on the Overview.
     */
    @Post("/apps/{appId}/environments/{envId}/update")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> updateServer(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        Map<String, String> form = form(body);
        if (!csrf.validForSession(http, form.get(ConsoleCsrf.FIELD))) {
            return expiredForm();
        }
        try {
            ServerUpdateController.UpdateView update = updatesApi.update(appId, envId,
                    new ServerUpdateController.UpdateBody(trimmed(form.get("version")), false), auth(user.get())).body();
            return seeOther("/apps/" + appId + "?env=" + envId + (update.operation() == null ? "" : "&operation=" + update.operation().id()));
        } catch (ApiException e) {
            ConsolePages.Frame frame = support.frame(http, user.get(), appId, envId, ConsolePages.Concern.OVERVIEW);
            return page(e.status(), "panel", new ConsolePages.Panel(frame,
                    overview(http, user.get(), appId, frame.environment(), null, false, ConsoleSupport.message(e))));
        }
    }

    /**
     * Cancel: the running operation the Overview shows, where it stops (the API's cancel, with its rules); the Overview
     * then follows it to CANCELLED. A refusal is said on the Overview.
     */
    @Post("/apps/{appId}/environments/{envId}/operations/{operationId}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> cancelOperation(UUID appId, UUID envId, UUID operationId, @Body @Nullable String body, HttpRequest<?> http) {
        Optional<UUID> user = sessions.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        if (!csrf.validForSession(http, form(body).get(ConsoleCsrf.FIELD))) {
            return expiredForm();
        }
        try {
            operationsApi.cancel(operationId, auth(user.get()));
            return seeOther("/apps/" + appId + "?env=" + envId + "&operation=" + operationId);
        } catch (ApiException e) {
            ConsolePages.Frame frame = support.frame(http, user.get(), appId, envId, ConsolePages.Concern.OVERVIEW);
            return page(e.status(), "panel", new ConsolePages.Panel(frame,
                    overview(http, user.get(), appId, frame.environment(), operationId, false, ConsoleSupport.message(e))));
        }
    }

    /**
     * The environment's Overview with an operation's progress: the one asked for (the create that led here),
     * else the environment's running one.
     */
    private ConsolePages.Overview overview(HttpRequest<?> http, UUID user, UUID appId, Views.EnvironmentView env, @Nullable UUID operationId,
                                           boolean fragment) {
        return overview(http, user, appId, env, operationId, fragment, null);
    }

    private ConsolePages.Overview overview(HttpRequest<?> http, UUID user, UUID appId, Views.EnvironmentView env, @Nullable UUID operationId,
                                           boolean fragment, @Nullable String error) {
        Optional<OperationRecord> op = operationId == null ? Optional.empty()
                : operations.findById(operationId).filter(o -> o.appId().equals(appId)
                && (user.equals(o.userId()) || access.isMemberOf(user, o.appId())));
        if (op.isEmpty()) {
            op = operations.findActiveForEnvironment(env.id());
        }
        OperationView operation = op.map(o -> OperationView.of(o, json)).orElse(null);
        boolean running = operation != null && (operation.status().equals("PENDING") || operation.status().equals("RUNNING"));
        boolean live = running || PASSING.contains(EnvironmentStatus.valueOf(env.status()));
        String pollUrl = "/apps/" + appId + "/environments/" + env.id() + "/overview"
                + (operation == null ? "" : "?operation=" + operation.id());
        List<ActivityViews.Entry> activity = activityLog.page(env.id(), 20, null).items();
        boolean studio = env.urls().studio() != null && env.status().equals(EnvironmentStatus.RUNNING.name());
        // A Cancel button under the operation's steps only where the API's cancel would stop it.
        boolean cancellable = operation != null && cancels.offered(operation);
        return new ConsolePages.Overview(sessionCsrf(http), appId, env, operation, activity, live, pollUrl, studio, fragment, error,
                cancellable);
    }

    // ---- errors of the API's rules, shown as pages

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }

    // ---- helpers

    private HttpResponse<?> signInForm(HttpStatus status, @Nullable String email, @Nullable String error, @Nullable String to,
                                       HttpRequest<?> http) {
        ConsoleCsrf.Issued issued = csrf.beforeSession(http);
        return withCookie(page(status, "signIn", new ConsolePages.SignIn(issued.token(), email, error, to)), issued.cookie());
    }

    private HttpResponse<?> signUpForm(HttpStatus status, Map<String, String> form, @Nullable String error, HttpRequest<?> http) {
        ConsoleCsrf.Issued issued = csrf.beforeSession(http);
        return withCookie(page(status, "signUp", new ConsolePages.SignUp(issued.token(), form.get("email"), form.get("firstName"),
                form.get("lastName"), error, returnPath(form.get("to")))), issued.cookie());
    }

    /** The CSRF token of a signed-in page (the caller checked the session). */
    private String sessionCsrf(HttpRequest<?> http) {
        return csrf.forSession(ConsoleSession.token(http).orElseThrow());
    }

    /** Where a sign-in or sign-up goes back to (an invitation's page): only a local path, one leading {@code /}; else null. */
    static @Nullable String returnPath(@Nullable String to) {
        if (to == null || to.length() > 500 || !to.matches("/(?![/\\\\])[A-Za-z0-9/_.~?=&#%-]*")) {
            return null;
        }
        try {
            URI.create(to); // a stray % or a second # would make the redirect itself fail
            return to;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String fieldErrors(ApiException e) {
        return ConsoleSupport.message(e).substring(e.getMessage().length());
    }

    private static String violations(ConstraintViolationException e) {
        return ConsoleSupport.message(e);
    }
}
