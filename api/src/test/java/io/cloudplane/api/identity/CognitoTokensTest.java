package io.cloudplane.api.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.cloudplane.api.security.CognitoTokens;
import io.cloudplane.infra.identity.CognitoSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AuthenticationResultType;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which tokens {@link CognitoTokens} accepts: tokens cognito-local issues (valid, ID token, another
 * pool's, another client's, expired, tampered), and tokens signed here with keys served from a JWKS
 * endpoint this test controls, for what cognito-local can't produce (a wrong issuer signed by a key
 * the pool serves, other algorithms, a rotated key, the refetch cooldown, the clock skew's edge).
 */
class CognitoTokensTest {
    private static CognitoLocal cognito;
    private static String pool;
    private static String client;
    private static UUID userId;
    private static AuthenticationResultType signedIn;

    @BeforeAll
    static void start() throws Exception {
        cognito = CognitoLocal.start();
        pool = cognito.createPool("tokens");
        client = cognito.createClient(pool, Duration.ofHours(1));
        userId = UUID.randomUUID();
        cognito.client().adminCreateUser(r -> r.userPoolId(pool).username(userId.toString()).messageAction("SUPPRESS"));
        cognito.client().adminSetUserPassword(r -> r.userPoolId(pool).username(userId.toString()).password("Right-Pass-123").permanent(true));
        signedIn = cognito.signIn(client, userId.toString(), "Right-Pass-123");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cognito != null) {
            cognito.close();
        }
    }

    private static CognitoSettings settings(String poolId, String clientId, String endpoint, Duration skew, Duration cooldown) {
        return new CognitoSettings(poolId, clientId, null, null, endpoint, null, null, null, skew, cooldown);
    }

    private static CognitoTokens poolTokens(Duration skew) {
        return new CognitoTokens(settings(pool, client, cognito.endpoint(), skew, Duration.ofSeconds(30)));
    }

    private static void assertRefused(CognitoTokens.Result result, String reasonPart) {
        CognitoTokens.Result.Refused refused = assertInstanceOf(CognitoTokens.Result.Refused.class, result);
        assertTrue(refused.reason().contains(reasonPart), refused.reason());
    }

    @Test
    void acceptsThePoolsAccessTokenAsTheUserItNames() {
        assertEquals(new CognitoTokens.Result.Valid(userId), poolTokens(Duration.ofSeconds(60)).verify(signedIn.accessToken()));
    }

    @Test
    void refusesThePoolsIdToken() {
        // Refused already for lacking the access token's claims; the token_use check itself is shown with a self-signed token below.
        assertInstanceOf(CognitoTokens.Result.Refused.class, poolTokens(Duration.ofSeconds(60)).verify(signedIn.idToken()));
    }

    @Test
    void refusesATamperedToken() {
        String[] parts = signedIn.accessToken().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        UUID other = UUID.randomUUID();
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace(userId.toString(), other.toString()).getBytes(StandardCharsets.UTF_8));
        assertRefused(poolTokens(Duration.ofSeconds(60)).verify(parts[0] + "." + forged + "." + parts[2]), "signature");
    }

    @Test
    void refusesAnotherPoolsTokenSignedByTheSameKey() {
        // cognito-local signs every pool's tokens with its one key ("CognitoLocal"): only the issuer tells them apart.
        String otherPool = cognito.createPool("other");
        String otherClient = cognito.createClient(otherPool, Duration.ofHours(1));
        cognito.client().adminCreateUser(r -> r.userPoolId(otherPool).username(userId.toString()).messageAction("SUPPRESS"));
        cognito.client().adminSetUserPassword(r -> r.userPoolId(otherPool).username(userId.toString()).password("Right-Pass-123").permanent(true));
        String token = cognito.signIn(otherClient, userId.toString(), "Right-Pass-123").accessToken();
        assertRefused(poolTokens(Duration.ofSeconds(60)).verify(token), "iss");
    }

    @Test
    void refusesAnotherClientsToken() {
        String otherClient = cognito.createClient(pool, Duration.ofHours(1));
        String token = cognito.signIn(otherClient, userId.toString(), "Right-Pass-123").accessToken();
        assertRefused(poolTokens(Duration.ofSeconds(60)).verify(token), "client_id");
    }

    @Test
    void refusesAnExpiredTokenBeyondTheClockSkew() throws Exception {
        String shortClient = cognito.createClient(pool, Duration.ofSeconds(1));
        String token = cognito.signIn(shortClient, userId.toString(), "Right-Pass-123").accessToken();
        Thread.sleep(2_500);
        CognitoSettings strict = settings(pool, shortClient, cognito.endpoint(), Duration.ZERO, Duration.ofSeconds(30));
        assertRefused(new CognitoTokens(strict).verify(token), "xpired");
        CognitoSettings lenient = settings(pool, shortClient, cognito.endpoint(), Duration.ofSeconds(60), Duration.ofSeconds(30));
        assertEquals(new CognitoTokens.Result.Valid(userId), new CognitoTokens(lenient).verify(token), "within the clock skew");
    }

    /** A JWKS endpoint of our own, counting its fetches; the "pool" is its issuer. */
    @Test
    void selfSignedTokensCheckIssuerExpiryAlgorithmAndRefetchUnknownKeysWithACooldown() throws Exception {
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k3").generate();
        List<RSAKey> served = new ArrayList<>(List.of(k1));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/", exchange -> {
            fetches.incrementAndGet();
            byte[] body;
            synchronized (served) {
                body = new JWKSet(new ArrayList<>(served.stream().map(RSAKey::toPublicJWK).toList())).toString().getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try {
            String endpoint = "http://127.0.0.1:" + jwks.getAddress().getPort();
            String poolId = "eu-west-1_Test1";
            String issuer = endpoint + "/" + poolId;
            CognitoTokens tokens = new CognitoTokens(settings(poolId, "client-1", endpoint, Duration.ofSeconds(60), Duration.ofSeconds(30)));
            Instant now = Instant.now();
            UUID user = UUID.randomUUID();

            assertEquals(new CognitoTokens.Result.Valid(user), tokens.verify(sign(k1, claims(issuer, user, now, now.plusSeconds(300)))));
            assertEquals(1, fetches.get());
            assertRefused(tokens.verify(sign(k1, claims("https://cognito-idp.eu-west-1.amazonaws.com/" + poolId, user, now,
                    now.plusSeconds(300)))), "iss");
            assertRefused(tokens.verify(sign(k1, claims(issuer, user, now.minusSeconds(600), now.minusSeconds(61)))), "xpired");
            assertEquals(new CognitoTokens.Result.Valid(user),
                    tokens.verify(sign(k1, claims(issuer, user, now.minusSeconds(600), now.minusSeconds(30)))), "expired within the skew");
            assertRefused(tokens.verify(sign(k1, claims(issuer, user, now.plusSeconds(120), now.plusSeconds(600)))), "future");

            JWTClaimsSet good = claims(issuer, user, now, now.plusSeconds(300));
            assertRefused(tokens.verify(sign(k1, new JWTClaimsSet.Builder(good).claim("token_use", "id").build())), "token_use");
            SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), good);
            hmac.sign(new MACSigner(new byte[32]));
            assertInstanceOf(CognitoTokens.Result.Refused.class, tokens.verify(hmac.serialize()), "HS256");
            assertInstanceOf(CognitoTokens.Result.Refused.class, tokens.verify(new PlainJWT(good).serialize()), "alg none");
            SignedJWT rs512 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("k1").build(), good);
            rs512.sign(new RSASSASigner(k1));
            assertInstanceOf(CognitoTokens.Result.Refused.class, tokens.verify(rs512.serialize()), "RS512");
            assertEquals(1, fetches.get(), "known key: the kept key set");

            // The pool rotates: a token signed by its new key makes the set fetched again.
            synchronized (served) {
                served.add(k2);
            }
            assertEquals(new CognitoTokens.Result.Valid(user), tokens.verify(sign(k2, good)));
            int afterRotation = fetches.get();
            assertEquals(2, afterRotation);
            // A key nobody serves, again and again within the cooldown: no more fetches.
            for (int i = 0; i < 20; i++) {
                assertInstanceOf(CognitoTokens.Result.Refused.class, tokens.verify(sign(stranger, good)));
            }
            assertTrue(fetches.get() <= afterRotation + 1, "unknown key IDs fetched the set " + (fetches.get() - afterRotation) + " times");
            assertEquals(new CognitoTokens.Result.Valid(user), tokens.verify(sign(k1, good)), "known keys keep working meanwhile");
        } finally {
            jwks.stop(0);
        }
    }

    private static JWTClaimsSet claims(String issuer, UUID user, Instant issued, Instant expires) {
        return new JWTClaimsSet.Builder().issuer(issuer).subject(UUID.randomUUID().toString()).claim("username", user.toString())
                .claim("token_use", "access").claim("client_id", "client-1").claim("scope", "aws.cognito.signin.user.admin")
                .issueTime(Date.from(issued)).expirationTime(Date.from(expires)).jwtID(UUID.randomUUID().toString()).build();
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
