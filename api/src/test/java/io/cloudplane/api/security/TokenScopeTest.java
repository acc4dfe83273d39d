package io.cloudplane.api.security;

import io.cloudplane.infra.account.ApiTokenRecord.Scope;
import io.micronaut.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The scope rules on paths, including the ones a router might read differently from a regular expression. */
class TokenScopeTest {
    private static final UUID APP = UUID.fromString("11111111-2222-3333-4444-555555555555");
    private static final UUID OTHER = UUID.fromString("99999999-8888-7777-6666-555555555555");
    private final TokenScope limited = new TokenScope(Scope.READ_WRITE, APP);
    private final TokenScope readOnly = new TokenScope(Scope.READ, null);

    @Test
    void aReadOnlyTokenMayGetAndHeadAnythingButChangeNothing() {
        assertInstanceOf(TokenScope.Decision.Pass.class, readOnly.decide(HttpMethod.GET, "/api/v1/apps"));
        assertInstanceOf(TokenScope.Decision.Pass.class, readOnly.decide(HttpMethod.HEAD, "/api/v1/apps/" + APP));
        for (HttpMethod method : new HttpMethod[]{HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS}) {
            assertInstanceOf(TokenScope.Decision.Forbidden.class, readOnly.decide(method, "/api/v1/apps/" + APP + "/environments"));
        }
    }

    @Test
    void anAppLimitedTokenReachesItsAppButNotAnotherNorWhatIsAboutNoApp() {
        assertInstanceOf(TokenScope.Decision.Pass.class, limited.decide(HttpMethod.GET, "/api/v1/apps/" + APP));
        assertInstanceOf(TokenScope.Decision.Pass.class, limited.decide(HttpMethod.POST, "/api/v1/apps/" + APP + "/environments/x/stop"));
        assertInstanceOf(TokenScope.Decision.Pass.class,
                limited.decide(HttpMethod.GET, "/api/v1/apps/" + APP.toString().toUpperCase() + "/environments"));
        assertInstanceOf(TokenScope.Decision.Pass.class, limited.decide(HttpMethod.GET, "/api/v1/server-versions"));
        assertInstanceOf(TokenScope.Decision.NotFound.class, limited.decide(HttpMethod.GET, "/api/v1/apps/" + OTHER));
        assertInstanceOf(TokenScope.Decision.NotFound.class, limited.decide(HttpMethod.GET, "/api/v1/apps/not-a-uuid/environments"));
        assertInstanceOf(TokenScope.Decision.Forbidden.class, limited.decide(HttpMethod.POST, "/api/v1/apps/" + APP + "/clone"));
        for (String path : new String[]{"/api/v1/apps", "/api/v1/apps/", "/api/v1/tokens", "/api/v1/tokens/" + OTHER, "/api/v1/accounts",
                "/api/v1/sessions", "/api/v1/some-endpoint-added-later", "/"}) {
            assertInstanceOf(TokenScope.Decision.Forbidden.class, limited.decide(HttpMethod.GET, path), path);
        }
        TokenScope.Decision operation = limited.decide(HttpMethod.GET, "/api/v1/operations/" + OTHER);
        assertEquals(new TokenScope.Decision.PassIfOperationOf(OTHER, APP), operation);
    }

    @Test
    void pathsThatCouldLeaveTheAppAfterNormalisationAreRefused() {
        for (String path : new String[]{"/api/v1/apps/" + APP + "/../" + OTHER, "/api/v1/apps/" + APP + "/./environments",
                "/api/v1/apps/" + APP + "//environments", "/api/v1/apps/" + APP + "/%2e%2e/" + OTHER,
                "/api/v1/apps/" + APP + "/environments;x=1", "/api/v1/apps/" + APP + "%2Fclone", "/api/v1/server-versions/../tokens"}) {
            assertInstanceOf(TokenScope.Decision.Forbidden.class, limited.decide(HttpMethod.GET, path), path);
        }
    }

    @Test
    void aSessionCarriesNoScopeAndATokensScopeSurvivesItsAuthentication() {
        var session = io.micronaut.security.authentication.Authentication.build("u", java.util.Map.of());
        assertEquals(java.util.Optional.empty(), TokenScope.of(session));
        var token = io.micronaut.security.authentication.Authentication.build("u", limited.attributes());
        assertEquals(java.util.Optional.of(limited), TokenScope.of(token));
        assertEquals(java.util.Optional.of(readOnly),
                TokenScope.of(io.micronaut.security.authentication.Authentication.build("u", readOnly.attributes())));
    }
}
