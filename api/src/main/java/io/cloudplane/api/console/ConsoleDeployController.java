package io.cloudplane.api.console;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.release.DeploymentController;
import io.cloudplane.api.release.PromotionController;
import io.cloudplane.api.release.ReleaseController;
import io.cloudplane.api.release.ReleaseView;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.release.PromotionStatus;
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
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.ConstraintViolationException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;

/**
 * The app panel's Deploy tab ({@code /apps/{appId}/environments/{envId}/deploy}): the app's releases (a new
 * one from a development or staging environment's code, delete while the API allows), deploying a release
 * into this environment, its deployment history with rollback, and the app's promotions with approve and
 * reject. Every action calls the API's own controllers; the long ones (a release's creation, a deployment,
 * a rollback) lead to the Overview, which follows the operation's steps live, and the promotions follow
 * their stages in a fragment that polls itself while one deploys.
 */
@Controller("/apps/{appId}/environments/{envId}/deploy")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleDeployController {
    private static final Set<PromotionStatus> DEPLOYING = EnumSet.of(PromotionStatus.DEPLOYING_STAGING, PromotionStatus.DEPLOYING_PRODUCTION);
    private final ConsoleSupport support;
    private final AccessService access;
    private final EnvironmentRepository environments;
    private final ReleaseController releasesApi;
    private final DeploymentController deploymentsApi;
    private final PromotionController promotionsApi;

    public ConsoleDeployController(ConsoleSupport support, AccessService access, EnvironmentRepository environments,
                                   ReleaseController releasesApi, DeploymentController deploymentsApi,
                                   PromotionController promotionsApi) {
        this.support = support;
        this.access = access;
        this.environments = environments;
        this.releasesApi = releasesApi;
        this.deploymentsApi = deploymentsApi;
        this.promotionsApi = promotionsApi;
    }

    @Get
    public HttpResponse<?> tab(UUID appId, UUID envId, @Nullable @QueryValue("done") String done, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        return render(HttpStatus.OK, http, user.get(), appId, envId, null, "deleted".equals(done) ? "The release was deleted." : null, Map.of());
    }

    /** The promotions alone: what their polling fetches. */
    @Get("/promotions")
    public HttpResponse<?> promotionsFragment(UUID appId, UUID envId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        Access a = access.requireApp(user.get(), appId).requireTeam(Access.END_USERS_REFUSED);
        access.requireEnvironment(a, envId);
        List<ReleaseView> releases = releasesApi.list(appId, 200, null, auth(user.get())).items();
        return page(HttpStatus.OK, "deployPromotions", promotions(support.csrf(http), a, appId, envId, releases, user.get()));
    }

    @Post("/releases")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> createRelease(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            ReleaseView created = releasesApi.create(appId, new ReleaseController.CreateRelease(trimmed(form.get("name")),
                    blankToNull(form.get("description")), form.get("source")), auth(user)).body();
            return seeOther(overview(appId, created.sourceEnvironmentId(), created.operation() == null ? null : created.operation().id()));
        });
    }

    @Post("/releases/{releaseId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> deleteRelease(UUID appId, UUID envId, UUID releaseId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            releasesApi.delete(appId, releaseId, auth(user));
            return seeOther(base(appId, envId) + "?done=deleted");
        });
    }

    @Post("/deployments")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> deploy(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            DeploymentController.DeploymentView deployment = deploymentsApi.deploy(appId, envId,
                    new DeploymentController.DeployBody(form.get("releaseId")), auth(user)).body();
            return seeOther(overview(appId, envId, deployment.id()));
        });
    }

    @Post("/rollback")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> rollback(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            DeploymentController.DeploymentView deployment = deploymentsApi.rollback(appId, envId, auth(user)).body();
            return seeOther(overview(appId, envId, deployment.id()));
        });
    }

    @Post("/promotions")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> promote(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            promotionsApi.promote(appId, new PromotionController.PromoteBody(form.get("releaseId")), auth(user));
            return seeOther(base(appId, envId) + "#promotions");
        });
    }

    @Post("/promotions/{promotionId}/approve")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> approve(UUID appId, UUID envId, UUID promotionId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            promotionsApi.approve(appId, promotionId, new PromotionController.DecisionBody(blankToNull(form.get("comment"))), auth(user));
            return seeOther(base(appId, envId) + "#promotions");
        });
    }

    @Post("/promotions/{promotionId}/reject")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> reject(UUID appId, UUID envId, UUID promotionId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            promotionsApi.reject(appId, promotionId, new PromotionController.DecisionBody(blankToNull(form.get("comment"))), auth(user));
            return seeOther(base(appId, envId) + "#promotions");
        });
    }

    @Post("/promotions/{promotionId}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> cancelPromotion(UUID appId, UUID envId, UUID promotionId, @Body @Nullable String body, HttpRequest<?> http) {
        return act(appId, envId, body, http, (user, form) -> {
            promotionsApi.cancel(appId, promotionId, auth(user));
            return seeOther(base(appId, envId) + "#promotions");
        });
    }

    /** The API's refusals that no form caught (a stranger's 404, an end user's 403): a page in words. */
    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }

    // ---- helpers

    /**
     * A form's action: signed in, its CSRF token first, then the action; the API's refusal is shown on the
     * tab in its words, with its status code, and the form's fields kept.
     */
    private HttpResponse<?> act(UUID appId, UUID envId, @Nullable String body, HttpRequest<?> http, ConsoleSupport.FormAction action) {
        return support.post(http, body, (user, form) -> {
            support.frame(http, user, appId, envId, ConsolePages.Concern.DEPLOY); // 404 for a stranger before anything is done
            try {
                return action.run(user, form);
            } catch (ApiException e) {
                return render(e.status(), http, user, appId, envId, ConsoleSupport.message(e), null, form);
            } catch (ConstraintViolationException e) {
                return render(HttpStatus.BAD_REQUEST, http, user, appId, envId, ConsoleSupport.message(e), null, form);
            }
        });
    }

    private HttpResponse<?> render(HttpStatus status, HttpRequest<?> http, UUID user, UUID appId, UUID envId, @Nullable String error,
                                   @Nullable String notice, Map<String, String> form) {
        ConsolePages.Frame frame = support.frame(http, user, appId, envId, ConsolePages.Concern.DEPLOY);
        Access a = access.requireApp(user, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        List<EnvironmentRecord> envs = environments.findByAppId(appId).stream()
                .filter(e -> e.status() != EnvironmentStatus.DELETING).sorted(Comparator.comparing(EnvironmentRecord::createdAt)).toList();
        Authentication auth = auth(user);
        List<ReleaseView> releases = releasesApi.list(appId, 200, null, auth).items();

        String deployRefusal = deployRefusal(a, env);
        String promoteRefusal = promoteRefusal(envs);
        List<DeployPages.Release> rows = releases.stream().map(r -> new DeployPages.Release(r,
                !r.locked() && r.status() != ReleaseRecord.Status.CREATING,
                deployRefusal == null && r.status() == ReleaseRecord.Status.READY,
                promoteRefusal == null && r.status() == ReleaseRecord.Status.READY)).toList();

        String chosen = form.get("source");
        List<EnvironmentRecord> sourceEnvs = envs.stream().filter(e -> e.type() == EnvironmentRecord.EnvironmentType.DEVELOPMENT
                || e.type() == EnvironmentRecord.EnvironmentType.STAGING).toList();
        // by default, this environment's code when a release can be cut from it, else the development environment's
        UUID preferred = chosen != null ? parse(chosen) : sourceEnvs.stream().anyMatch(e -> e.id().equals(envId)) ? envId
                : sourceEnvs.stream().filter(e -> e.type() == EnvironmentRecord.EnvironmentType.DEVELOPMENT).map(EnvironmentRecord::id)
                .findFirst().orElse(null);
        List<DeployPages.Source> sources = sourceEnvs.stream()
                .map(e -> new DeployPages.Source(e.id(), e.name() + " (" + e.type().name().toLowerCase() + ")", e.id().equals(preferred)))
                .toList();

        List<DeploymentController.DeploymentView> history = deploymentsApi.history(appId, envId, 20, null, auth).items();
        DeployPages.Promotions promotions = promotions(frame.csrf(), a, appId, envId, releases, user);
        return page(status, "deploy", new DeployPages.Deploy(frame, base(appId, envId), rows, sources,
                deployRefusal == null, deployRefusal, promoteRefusal == null, promoteRefusal, history, promotions,
                error, notice, form.get("name"), form.get("description")));
    }

    /** Why the user cannot deploy into this environment now (the API's rules), or null. */
    private static @Nullable String deployRefusal(Access a, EnvironmentRecord env) {
        if (env.type() == EnvironmentRecord.EnvironmentType.PRODUCTION && a.role() != Access.Role.OWNER) {
            return "Only the app's owner deploys to production; developers promote a release through staging.";
        }
        if (env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING) {
            return "The environment is " + ConsolePages.label(env.status().name()).toLowerCase() + "; deploy when it is done.";
        }
        if (env.status() == EnvironmentStatus.SLEEPING) {
            return "The sandbox is asleep; open the Studio or wake it, then deploy.";
        }
        return null;
    }

    /** Why no release can be promoted in this app (it needs staging and production), or null. */
    private static @Nullable String promoteRefusal(List<EnvironmentRecord> envs) {
        boolean staging = envs.stream().anyMatch(e -> e.type() == EnvironmentRecord.EnvironmentType.STAGING);
        boolean production = envs.stream().anyMatch(e -> e.type() == EnvironmentRecord.EnvironmentType.PRODUCTION);
        if (staging && production) {
            return null;
        }
        return "A promotion goes through staging to production; this app has no "
                + (staging ? "production" : production ? "staging" : "staging and no production") + " environment yet.";
    }

    private DeployPages.Promotions promotions(String csrf, Access a, UUID appId, UUID envId, List<ReleaseView> releases, UUID user) {
        Map<UUID, String> names = new HashMap<>();
        releases.forEach(r -> names.put(r.id(), r.name()));
        List<DeployPages.Promotion> items = new ArrayList<>();
        for (PromotionController.PromotionView p : promotionsApi.list(appId, 10, null, auth(user)).items()) {
            List<DeployPages.Stage> stages = p.stages().stream().map(s -> new DeployPages.Stage(s.name(), s.outcome(), s.error(),
                    s.deploymentId() == null ? null : overview(appId, s.environmentId(), s.deploymentId()))).toList();
            boolean decidable = a.role() == Access.Role.OWNER && p.status() == PromotionStatus.AWAITING_APPROVAL;
            boolean cancellable = p.status() == PromotionStatus.AWAITING_APPROVAL
                    && (a.role() == Access.Role.OWNER || user.equals(p.createdBy()));
            items.add(new DeployPages.Promotion(p, names.getOrDefault(p.releaseId(), p.releaseId().toString()), decidable,
                    cancellable, stages));
        }
        boolean live = items.stream().anyMatch(p -> DEPLOYING.contains(p.promotion().status()));
        return new DeployPages.Promotions(csrf, base(appId, envId), items, live, base(appId, envId) + "/promotions");
    }

    static String base(UUID appId, UUID envId) {
        return "/apps/" + appId + "/environments/" + envId + "/deploy";
    }

    /** The Overview of an environment following an operation's steps. */
    private static String overview(UUID appId, UUID envId, @Nullable UUID operationId) {
        return "/apps/" + appId + "?env=" + envId + (operationId == null ? "" : "&operation=" + operationId);
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static @Nullable UUID parse(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
