package io.cloudplane.api.console;

import io.cloudplane.api.domain.DomainController;
import io.cloudplane.api.domain.DomainView;
import io.cloudplane.api.environment.EnvironmentAccessController;
import io.cloudplane.api.environment.EnvironmentController;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
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
import jakarta.validation.ConstraintViolationException;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;

/**
 * The app panel's General tab: stop, start and restart the environment's server (then its Overview
 * shows the operation's steps live), its access setting, and its custom domains (staging and
 * production) with the DNS records to create. Every action goes through the API's controllers.
 */
@Controller("/apps/{appId}/environments/{envId}/general")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleGeneralController {
    private final ConsoleSupport support;
    private final AccessService access;
    private final EnvironmentController environmentsApi;
    private final EnvironmentAccessController accessApi;
    private final DomainController domainsApi;

    public ConsoleGeneralController(ConsoleSupport support, AccessService access, EnvironmentController environmentsApi,
                                    EnvironmentAccessController accessApi, DomainController domainsApi) {
        this.support = support;
        this.access = access;
        this.environmentsApi = environmentsApi;
        this.accessApi = accessApi;
        this.domainsApi = domainsApi;
    }

    @Get
    public HttpResponse<?> general(UUID appId, UUID envId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        return show(HttpStatus.OK, user.get(), appId, envId, null, null, null, http);
    }

    /** Stop, start or restart ({@code action}): then the Overview, which follows the operation's steps. */
    @Post("/server")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> server(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            String action = String.valueOf(form.get("action"));
            try {
                OperationView op = switch (action) {
                    case "stop" -> environmentsApi.stop(appId, envId, auth(user)).body();
                    case "start" -> environmentsApi.start(appId, envId, auth(user)).body();
                    case "restart" -> environmentsApi.restart(appId, envId, auth(user)).body();
                    default -> throw ApiException.badRequest("action", "must be stop, start or restart");
                };
                return seeOther("/apps/" + appId + "?env=" + envId + "&operation=" + op.id());
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, ConsoleSupport.message(e), "server", null, http);
            }
        });
    }

    /** The access setting: public (anyone) or members (the app's team and invited end users, signed in). */
    @Post("/access")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> changeAccess(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            try {
                accessApi.update(appId, envId, new EnvironmentAccessController.UpdateEnvironment(form.get("access")), auth(user));
                return seeOther(ConsolePages.Concern.GENERAL.href(appId, envId) + "#access");
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, ConsoleSupport.message(e), "access", null, http);
            } catch (ConstraintViolationException e) {
                return show(HttpStatus.BAD_REQUEST, user, appId, envId, ConsoleSupport.message(e), "access", null, http);
            }
        });
    }

    @Post("/domains")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> addDomain(UUID appId, UUID envId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            String hostname = trimmed(form.get("hostname"));
            try {
                DomainView added = domainsApi.add(appId, envId, new DomainController.AddDomain(hostname), auth(user)).body();
                return seeOther(ConsolePages.Concern.GENERAL.href(appId, envId) + "#domain-" + added.id());
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, ConsoleSupport.message(e), "hostname", hostname, http);
            } catch (ConstraintViolationException e) {
                return show(HttpStatus.BAD_REQUEST, user, appId, envId, ConsoleSupport.message(e), "hostname", hostname, http);
            }
        });
    }

    /** Checks the domain's DNS now. */
    @Post("/domains/{domainId}/verify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> verifyDomain(UUID appId, UUID envId, UUID domainId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            try {
                domainsApi.verify(appId, envId, domainId, auth(user));
                return seeOther(ConsolePages.Concern.GENERAL.href(appId, envId) + "#domain-" + domainId);
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, ConsoleSupport.message(e), "domains", null, http);
            }
        });
    }

    @Post("/domains/{domainId}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> removeDomain(UUID appId, UUID envId, UUID domainId, @Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            try {
                domainsApi.remove(appId, envId, domainId, auth(user));
                return seeOther(ConsolePages.Concern.GENERAL.href(appId, envId) + "#domains");
            } catch (ApiException e) {
                return show(e.status(), user, appId, envId, ConsoleSupport.message(e), "domains", null, http);
            }
        });
    }

    private HttpResponse<?> show(HttpStatus status, UUID user, UUID appId, UUID envId, @Nullable String error,
                                 @Nullable String errorField, @Nullable String hostname, HttpRequest<?> http) {
        ConsolePages.Frame frame = support.frame(http, user, appId, envId, ConsolePages.Concern.GENERAL);
        boolean owner = access.requireApp(user, appId).role() == Access.Role.OWNER;
        boolean domainsAllowed = !"development".equals(frame.environment().type());
        List<DomainView> domains = domainsAllowed ? domainsApi.list(appId, envId, auth(user)).items() : List.of();
        return page(status, "general", new GeneralPages.General(frame, owner, domainsAllowed, domains, error, errorField, hostname));
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
