package io.cloudplane.api.identity;

import io.cloudplane.api.security.CognitoTokens;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.identity.CognitoIdentityProvider;
import io.cloudplane.infra.identity.CognitoSettings;
import io.cloudplane.infra.identity.IdentityProvider.AuthenticationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotFoundException;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Cognito adapter and token check against a real user pool, off by default: set
 * {@code CLOUDPLANE_TEST_COGNITO_USER_POOL_ID} and {@code CLOUDPLANE_TEST_COGNITO_CLIENT_ID} (an app
 * client without a secret allowing {@code USER_PASSWORD_AUTH}; a pool without username attributes),
 * with AWS credentials from the standard chain allowed the admin calls. Optionally
 * {@code CLOUDPLANE_TEST_COGNITO_ENDPOINT} for another Cognito-protocol server. The test deletes
 * the users and groups it made.
 */
@EnabledIfEnvironmentVariable(named = "CLOUDPLANE_TEST_COGNITO_USER_POOL_ID", matches = ".+")
class CognitoRealPoolTest {
    private static final String PASSWORD = "Correct-Horse-42!";

    @Test
    void signUpSignInTokensInviteesAndMembershipsOnARealPool() {
        String poolId = System.getenv("CLOUDPLANE_TEST_COGNITO_USER_POOL_ID");
        String endpoint = System.getenv("CLOUDPLANE_TEST_COGNITO_ENDPOINT");
        CognitoSettings settings = new CognitoSettings(poolId, System.getenv("CLOUDPLANE_TEST_COGNITO_CLIENT_ID"), null, null,
                endpoint, null, null, null, Duration.ofSeconds(60), Duration.ofSeconds(30));
        Map<UUID, UserRecord> rows = new ConcurrentHashMap<>();
        CognitoIdentityProvider identity = new CognitoIdentityProvider(settings, users(rows));
        var builder = CognitoIdentityProviderClient.builder().region(Region.of(settings.region()));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        UserRecord user = new UserRecord(UUID.randomUUID(), "cloudplane-test-" + UUID.randomUUID() + "@example.com", "Ada", "Test",
                Instant.now());
        String invitee = "cloudplane-test-" + UUID.randomUUID() + "@example.com";
        UUID env = UUID.randomUUID();
        try (CognitoIdentityProviderClient admin = builder.build()) {
            try {
                rows.put(user.id(), user);
                identity.register(user.id(), user.email(), PASSWORD);
                var ok = assertInstanceOf(AuthenticationResult.Authenticated.class, identity.authenticate(user.email(), PASSWORD));
                assertEquals(new CognitoTokens.Result.Valid(user.id()), new CognitoTokens(settings).verify(ok.token().accessToken()));
                assertInstanceOf(AuthenticationResult.Rejected.class, identity.authenticate(user.email(), PASSWORD + "x"));
                assertInstanceOf(AuthenticationResult.Rejected.class, identity.authenticate(invitee, PASSWORD));

                identity.declareMembership(user.id(), user.email(), env, "Sales");
                identity.declareMembership(user.id(), user.email(), env, "Manager");
                assertEquals(List.of(CognitoIdentityProvider.groupName(env, "Manager")), admin.adminListGroupsForUser(
                        r -> r.userPoolId(poolId).username(user.id().toString())).groups().stream().map(g -> g.groupName()).toList());
                identity.withdrawMembership(user.id(), user.email(), env);
                assertEquals(List.of(), admin.adminListGroupsForUser(r -> r.userPoolId(poolId).username(user.id().toString())).groups());

                identity.prepareInvitee(invitee, "Grace", "Test");
                admin.adminGetUser(r -> r.userPoolId(poolId).username(CognitoIdentityProvider.inviteeUsername(invitee)));
            } finally {
                for (String username : List.of(user.id().toString(), CognitoIdentityProvider.inviteeUsername(invitee))) {
                    try {
                        admin.adminDeleteUser(r -> r.userPoolId(poolId).username(username));
                    } catch (UserNotFoundException gone) {
                        // not made
                    }
                }
                for (String profile : List.of("Sales", "Manager")) {
                    try {
                        admin.deleteGroup(r -> r.userPoolId(poolId).groupName(CognitoIdentityProvider.groupName(env, profile)));
                    } catch (software.amazon.awssdk.services.cognitoidentityprovider.model.ResourceNotFoundException gone) {
                        // not made
                    }
                }
            }
            assertThrows(UserNotFoundException.class, () -> admin.adminGetUser(r -> r.userPoolId(poolId).username(user.id().toString())));
        } finally {
            identity.close();
        }
    }

    /** The two lookups the adapter makes, over a map: this test runs without a database. */
    private static UserRepository users(Map<UUID, UserRecord> rows) {
        return (UserRepository) Proxy.newProxyInstance(UserRepository.class.getClassLoader(), new Class<?>[]{UserRepository.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "findById" -> Optional.ofNullable(rows.get((UUID) args[0]));
                    case "findByEmailIgnoringCase" -> rows.values().stream().filter(u -> u.email().equalsIgnoreCase((String) args[0])).findFirst();
                    case "toString" -> "users";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
