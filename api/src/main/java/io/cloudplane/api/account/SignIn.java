package io.cloudplane.api.account;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.api.security.RateLimits;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.infra.identity.IdentityProvider.AuthenticationResult;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Checks a person's email and password, the one way both {@code POST /api/v1/sessions} and the
 * gateway's sign-in page sign people in: the rate limits, the identity provider (local or Cognito),
 * its lockout, and a sleeping sandbox woken by the login.
 */
@Singleton
public class SignIn {
    private static final Logger LOG = LoggerFactory.getLogger(SignIn.class);
    private final RateLimits rateLimits;
    private final IdentityProvider identity;
    private final SandboxLifecycles lifecycles;
    private final AppRepository apps;
    private final EnvironmentRepository environments;

    public SignIn(RateLimits rateLimits, IdentityProvider identity, SandboxLifecycles lifecycles, AppRepository apps,
                  EnvironmentRepository environments) {
        this.rateLimits = rateLimits;
        this.identity = identity;
        this.lifecycles = lifecycles;
        this.apps = apps;
        this.environments = environments;
    }

    /** The person signed in; 429 past a rate limit or while locked out, 401 for a wrong email or password. */
    public AuthenticationResult.Authenticated check(HttpRequest<?> http, String email, String password) {
        rateLimits.login(http, email);
        AuthenticationResult result = identity.authenticate(email.trim(), password);
        if (result instanceof AuthenticationResult.LockedOut locked) {
            throw ApiException.tooManyRequests("Too many failed logins for this account; try again later", locked.retryAfter());
        }
        if (!(result instanceof AuthenticationResult.Authenticated ok)) {
            throw ApiException.unauthorized("Wrong email or password");
        }
        wakeSleepingSandbox(ok.userId());
        return ok;
    }

    /** A login wakes the user's sandbox when it sleeps; while it is awake, a login changes nothing. */
    private void wakeSleepingSandbox(UUID userId) {
        apps.findSandboxOf(userId).ifPresent(sandbox -> environments.findByAppId(sandbox.id()).stream()
                .filter(env -> env.status() == EnvironmentStatus.SLEEPING)
                .findFirst()
                .ifPresent(env -> {
                    try {
                        lifecycles.wake(sandbox.id(), null, userId);
                    } catch (RuntimeException e) {
                        LOG.warn("Could not wake sandbox {}: {}", sandbox.id(), e.getMessage());
                    }
                }));
    }
}
