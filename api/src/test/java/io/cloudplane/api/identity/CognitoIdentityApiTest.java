package io.cloudplane.api.identity;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.identity.CognitoIdentityProvider;
import io.cloudplane.infra.identity.IdentityProvider;
import io.cloudplane.infra.identity.IdentityProvider.AuthenticationResult;
import io.micronaut.core.type.Argument;
import io.cloudplane.api.JsonCalls;
import io.cloudplane.api.JsonCalls.Answer;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AdminGetUserResponse;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotFoundException;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserStatusType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cloudplane with {@code cloudplane.identity.provider=cognito} against cognito-local: the adapter
 * ({@link CognitoIdentityProvider}) on its own, then the API signing up, logging in and answering a
 * call made with the pool's access token.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CognitoIdentityApiTest implements TestPropertyProvider {
    private static final String PASSWORD = "Correct-Horse-42";
    private CognitoLocal cognito;
    private String pool;
    private String client;

    @Inject IdentityProvider identity;
    @Inject UserRepository users;
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;

    @Override
    public Map<String, String> getProperties() {
        try {
            cognito = CognitoLocal.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        pool = cognito.createPool("cloudplane");
        client = cognito.createClient(pool, Duration.ofHours(1));
        return Map.of(
                "cloudplane.identity.provider", "cognito",
                "cloudplane.identity.cognito.user-pool-id", pool,
                "cloudplane.identity.cognito.client-id", client,
                "cloudplane.identity.cognito.endpoint", cognito.endpoint(),
                "cloudplane.identity.cognito.access-key", "local",
                "cloudplane.identity.cognito.secret-key", "local");
    }

    @AfterAll
    void stop() throws Exception {
        if (cognito != null) {
            cognito.close();
        }
    }

    private UserRecord newUser(String email) {
        return users.save(new UserRecord(UUID.randomUUID(), email, "Ada", "Lovelace", Instant.now().truncatedTo(ChronoUnit.MICROS)));
    }

    private static String email() {
        return "cognito-" + UUID.randomUUID() + "@example.com";
    }

    private AdminGetUserResponse poolUser(String username) {
        return cognito.client().adminGetUser(r -> r.userPoolId(pool).username(username));
    }

    private static String attribute(AdminGetUserResponse user, String name) {
        return user.userAttributes().stream().filter(a -> a.name().equals(name)).map(a -> a.value()).findFirst().orElse(null);
    }

    @Test
    void theCognitoAdapterIsChosen() {
        assertInstanceOf(CognitoIdentityProvider.class, identity);
    }

    @Test
    void signUpCreatesAConfirmedPoolUserNamedByTheUserId() {
        UserRecord user = newUser(email());
        identity.register(user.id(), user.email(), PASSWORD);
        AdminGetUserResponse pooled = poolUser(user.id().toString());
        assertEquals(UserStatusType.CONFIRMED, pooled.userStatus());
        assertEquals(user.email(), attribute(pooled, "email"));
        assertEquals("true", attribute(pooled, "email_verified"));
        assertEquals("Ada", attribute(pooled, "given_name"));
        assertEquals("Lovelace", attribute(pooled, "family_name"));
    }

    @Test
    void signInAcceptsTheRightPasswordAndAnswersWrongPasswordAndUnknownEmailAlike() {
        UserRecord user = newUser(email());
        identity.register(user.id(), user.email(), PASSWORD);

        AuthenticationResult.Authenticated ok = assertInstanceOf(AuthenticationResult.Authenticated.class,
                identity.authenticate(user.email().toUpperCase(), PASSWORD));
        assertEquals(user.id(), ok.userId());
        assertNotNull(ok.token());
        Map<String, Object> claims = payload(ok.token().accessToken());
        assertEquals(user.id().toString(), claims.get("username"));
        assertEquals(cognito.endpoint() + "/" + pool, claims.get("iss"));
        assertTrue(ok.token().expiresIn().toSeconds() > 3000, ok.token().toString());

        AuthenticationResult wrong = identity.authenticate(user.email(), PASSWORD + "x");
        AuthenticationResult unknown = identity.authenticate(email(), PASSWORD);
        assertInstanceOf(AuthenticationResult.Rejected.class, wrong);
        assertEquals(wrong, unknown, "an unknown email is answered as a wrong password");
    }

    @Test
    void anInvitationPreparesAPlaceholderThatTheSignUpReplaces() {
        String email = email();
        identity.prepareInvitee(email, "Grace", "Hopper");
        identity.prepareInvitee(email, "Grace", "Hopper"); // idempotent
        String placeholder = CognitoIdentityProvider.inviteeUsername(email);
        AdminGetUserResponse prepared = poolUser(placeholder);
        assertEquals(UserStatusType.FORCE_CHANGE_PASSWORD, prepared.userStatus());
        assertEquals(email, attribute(prepared, "email"));
        assertEquals("Grace", attribute(prepared, "given_name"));
        assertInstanceOf(AuthenticationResult.Rejected.class, identity.authenticate(email, PASSWORD), "no account yet");

        UserRecord user = newUser(email);
        identity.register(user.id(), email, PASSWORD);
        assertThrows(UserNotFoundException.class, () -> poolUser(placeholder));
        assertEquals(UserStatusType.CONFIRMED, poolUser(user.id().toString()).userStatus());
        assertInstanceOf(AuthenticationResult.Authenticated.class, identity.authenticate(email, PASSWORD));

        identity.prepareInvitee(email, "Grace", "Hopper");
        assertThrows(UserNotFoundException.class, () -> poolUser(placeholder), "someone with an account needs no placeholder");
    }

    @Test
    void membershipsAreGroupsPerEnvironmentAndProfile() {
        UserRecord user = newUser(email());
        identity.register(user.id(), user.email(), PASSWORD);
        String username = user.id().toString();
        UUID env = UUID.randomUUID();
        UUID otherEnv = UUID.randomUUID();

        identity.declareMembership(user.id(), user.email(), env, "Sales");
        identity.declareMembership(user.id(), user.email(), env, "Sales");
        assertEquals(List.of("env-" + env + "-sales"), cognito.groupsOf(pool, username));
        identity.declareMembership(user.id(), user.email(), otherEnv, "user");
        identity.declareMembership(user.id(), user.email(), env, "Sales Manager");
        assertEquals(List.of("env-" + env + "-sales+manager", "env-" + otherEnv + "-user").stream().sorted().toList(),
                cognito.groupsOf(pool, username), "moved to the new profile; the other environment untouched");

        UserRecord colleague = newUser(email());
        identity.register(colleague.id(), colleague.email(), PASSWORD);
        identity.declareMembership(colleague.id(), colleague.email(), env, "Sales Manager"); // the group exists already
        assertEquals(List.of("env-" + env + "-sales+manager"), cognito.groupsOf(pool, colleague.id().toString()));

        identity.withdrawMembership(user.id(), user.email(), env);
        assertEquals(List.of("env-" + otherEnv + "-user"), cognito.groupsOf(pool, username));
        identity.withdrawMembership(user.id(), user.email(), env); // idempotent
        identity.withdrawMembership(UUID.randomUUID(), "nobody@example.com", env); // not in the pool: nothing to do
        assertEquals(List.of("env-" + env + "-sales+manager"), cognito.groupsOf(pool, colleague.id().toString()));

        // The groups are in the user's tokens, for an application that validates the pool's tokens.
        AuthenticationResult.Authenticated ok = (AuthenticationResult.Authenticated) identity.authenticate(colleague.email(), PASSWORD);
        assertEquals(List.of("env-" + env + "-sales+manager"), payload(ok.token().accessToken()).get("cognito:groups"));
    }

    @Test
    void theApiSignsUpLogsInAndAnswersCallsMadeWithThePoolsToken() throws Exception {
        String email = email();
        Answer created = call("POST", "/api/v1/accounts", Map.of("email", email, "password", PASSWORD, "firstName", "Ada",
                "lastName", "Lovelace"), null);
        assertEquals(201, created.status(), created.body().toString());
        @SuppressWarnings("unchecked")
        String userId = (String) ((Map<String, Object>) created.body().get("account")).get("id");
        String sandboxId = (String) created.body().get("sandboxAppId");

        Answer session = call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD), null);
        assertEquals(200, session.status(), session.body().toString());
        String token = (String) session.body().get("accessToken");
        Map<String, Object> claims = payload(token);
        assertEquals(cognito.endpoint() + "/" + pool, claims.get("iss"), "the pool's own token");
        assertEquals("access", claims.get("token_use"));
        assertEquals(userId, claims.get("username"));

        Answer apps = call("GET", "/api/v1/apps", null, token);
        assertEquals(200, apps.status(), apps.body().toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> sandbox = (Map<String, Object>) apps.body().get("sandbox");
        assertEquals(sandboxId, sandbox.get("id"));

        Answer wrong = call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD + "x"), null);
        Answer unknown = call("POST", "/api/v1/sessions", Map.of("email", email(), "password", PASSWORD), null);
        assertEquals(401, wrong.status());
        assertEquals(wrong, unknown, "the same answer whether the email exists or not");

        assertEquals(401, call("GET", "/api/v1/apps", null, token.substring(0, token.length() - 4) + "AAAA").status(), "tampered");
        String idToken = cognito.signIn(client, userId, PASSWORD).idToken();
        assertEquals(401, call("GET", "/api/v1/apps", null, idToken).status(), "an ID token");
        // A pool user Cloudplane does not know (created in the pool directly) is refused.
        String stranger = UUID.randomUUID().toString();
        cognito.client().adminCreateUser(r -> r.userPoolId(pool).username(stranger).messageAction("SUPPRESS"));
        cognito.client().adminSetUserPassword(r -> r.userPoolId(pool).username(stranger).password(PASSWORD).permanent(true));
        assertEquals(401, call("GET", "/api/v1/apps", null, cognito.signIn(client, stranger, PASSWORD).accessToken()).status());
    }

    private Answer call(String method, String path, Object body, String bearer) throws Exception {
        return new JsonCalls(server, json).call(method, path, body, bearer);
    }

    private Map<String, Object> payload(String jwt) {
        try {
            return json.readValue(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8),
                    Argument.mapOf(String.class, Object.class));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
