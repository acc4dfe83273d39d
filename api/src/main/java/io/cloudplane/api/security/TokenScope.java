package io.cloudplane.api.security;

import io.cloudplane.infra.account.ApiTokenRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.security.authentication.Authentication;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an API token may reach, carried in its {@link Authentication} by {@link ApiTokenValidator}
 * and enforced for every request by {@link TokenScopeFilter}, so that a new endpoint is covered
 * without anyone remembering it. Sessions carry no scope and are not limited by it.
 *
 * <p>The rules, decided here once for every path:
 * <ul>
 *   <li>{@code READ}: only GET and HEAD; anything else is 403.</li>
 *   <li>Limited to an app: a path under {@code /api/v1/apps/{thatApp}} passes (then the user's own
 *   role decides, as for a session), except a clone, which creates an app (403). A path under
 *   another app, and an operation of another app, is 404, exactly as for an app that does not
 *   exist: the token does not reveal its user's other apps. The server-version catalog (no tenant
 *   data) passes. Every other path (the apps list, creating apps, tokens, anything added later that
 *   is not under the app) is 403: a limited token is refused by default.</li>
 * </ul>
 */
public record TokenScope(ApiTokenRecord.Scope scope, @Nullable UUID appId) {
    static final String SCOPE_ATTRIBUTE = "tokenScope";
    static final String APP_ATTRIBUTE = "tokenAppId";

    /** {@code /api/v1/apps/{id}} and what is under it, with plain segments only (no dots, escapes or empty segments). */
    private static final Pattern APP_PATH = Pattern.compile("^/api/v1/apps/([A-Za-z0-9_-]+)((?:/[A-Za-z0-9_-]+)*)/?$");
    private static final Pattern OPERATION_PATH = Pattern.compile("^/api/v1/operations/([0-9A-Fa-f-]{36})(?:/cancel)?/?$");
    private static final Pattern PLAIN_PATH = Pattern.compile("^(/[A-Za-z0-9_-]+)*/?$");

    /** The outcome for one request. */
    public sealed interface Decision {
        /** Let the request through. */
        record Pass() implements Decision {
        }

        /** Let it through if the operation with this ID belongs to {@code appId} (or does not exist). */
        record PassIfOperationOf(UUID operationId, UUID appId) implements Decision {
        }

        record Forbidden(String detail) implements Decision {
        }

        record NotFound(String what) implements Decision {
        }
    }

    public Map<String, Object> attributes() {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(SCOPE_ATTRIBUTE, scope.name());
        if (appId != null) {
            attributes.put(APP_ATTRIBUTE, appId.toString());
        }
        return attributes;
    }

    /** The scope of an API token's authentication; empty for a session, which no scope limits. */
    public static Optional<TokenScope> of(Authentication authentication) {
        Object scope = authentication.getAttributes().get(SCOPE_ATTRIBUTE);
        if (scope == null) {
            return Optional.empty();
        }
        Object app = authentication.getAttributes().get(APP_ATTRIBUTE);
        return Optional.of(new TokenScope(ApiTokenRecord.Scope.valueOf(scope.toString()),
                app == null ? null : UUID.fromString(app.toString())));
    }

    public Decision decide(HttpMethod method, String path) {
        if (scope == ApiTokenRecord.Scope.READ && method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return new Decision.Forbidden("This API token is read-only: it may only read (GET)");
        }
        if (appId == null) {
            return new Decision.Pass();
        }
        Matcher app = APP_PATH.matcher(path);
        if (app.matches()) {
            if (!app.group(1).equalsIgnoreCase(appId.toString())) {
                return new Decision.NotFound("App " + app.group(1));
            }
            if (app.group(2).equals("/clone")) {
                return new Decision.Forbidden("This API token is limited to one app: it may not create apps");
            }
            return new Decision.Pass();
        }
        Matcher operation = OPERATION_PATH.matcher(path);
        if (operation.matches()) {
            try {
                return new Decision.PassIfOperationOf(UUID.fromString(operation.group(1)), appId);
            } catch (IllegalArgumentException notAUuid) {
                return new Decision.NotFound("Operation " + operation.group(1));
            }
        }
        if (PLAIN_PATH.matcher(path).matches() && path.replaceFirst("/$", "").equals("/api/v1/server-versions")) {
            return new Decision.Pass();
        }
        return new Decision.Forbidden("This API token is limited to app " + appId + ": it reaches only that app's resources");
    }
}
