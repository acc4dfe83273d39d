package io.cloudplane.api.gateway;

import io.cloudplane.api.JsonCalls;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppListChanges;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.domain.AcmeChallengeRecord;
import io.cloudplane.infra.domain.AcmeChallengeRepository;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.domain.SelfSignedCertificates;
import io.cloudplane.workflows.domain.CertificateSource;
import io.cloudplane.workflows.domain.DomainStatus;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.annotation.MockBean;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Who gets in through the gateway, asked of {@link GatewayAccess#decide} directly with requests
 * built here (no proxy), against the embedded PostgreSQL, and over HTTP for the sign-in page,
 * {@code /gateway/auth} and {@code POST …/studio-sessions}.
 */
@MicronautTest(transactional = false)
class GatewayAccessTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final int PORT = 45_123;

    @Inject GatewayAccess gateway;
    @Inject HostNames hostNames;
    @Inject io.cloudplane.infra.gateway.GatewayKeys keys;
    @Inject EnvironmentRepository environments;
    @Inject AppMemberRepository members;
    @Inject AppListChanges changes;
    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject ApplicationEventPublisher<MembershipChangedEvent> events;
    @Inject DataSource dataSource;
    @Inject GatewaySessions sessions;
    @Inject DomainRepository domains;
    @Inject AcmeChallengeRepository challenges;
    @Inject SecretBox secrets;
    @Inject GatewayServer gatewayServer;

    private final HttpClient http = HttpClient.newHttpClient();
    private JsonCalls calls;
    static final List<UUID> studioUses = new CopyOnWriteArrayList<>();
    static volatile Function<UUID, Boolean> wake = envId -> false;

    @MockBean(StudioUse.class)
    StudioUse studioUse() {
        return (appId, envId, sandbox) -> studioUses.add(envId);
    }

    @MockBean(SandboxWaking.class)
    SandboxWaking sandboxWaking() {
        return (appId, envId, ownerId) -> CompletableFuture.supplyAsync(() -> wake.apply(envId));
    }

    private record User(UUID id, String email, String token, UUID sandboxId) {
    }

    /** An app of its own owner with a staging (members) and a production (public) environment, RUNNING. */
    private record World(User owner, UUID appId, EnvironmentRecord staging, EnvironmentRecord production) {
    }

    @BeforeEach
    void setUp() {
        calls = new JsonCalls(server, json);
        studioUses.clear();
        wake = envId -> false;
    }

    @Test
    void onlyTheOwnerDevelopersAndThatEnvironmentsEndUsersGetInAndTheServerLearnsWhoAndWithWhatProfile() throws Exception {
        World w = world();
        User developer = signUp();
        User endUser = signUp();
        User otherEnvUser = signUp();
        User stranger = signUp();
        members.save(AppMemberRecord.of(w.appId(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        sql("update app_members set profile = 'designer' where app_id = ? and user_id = ?", w.appId(), developer.id());
        sql("insert into environment_users (env_id, user_id, profile, since) values (?, ?, 'editor', now())", w.staging().id(), endUser.id());
        sql("insert into environment_users (env_id, user_id, profile, since) values (?, ?, 'user', now())", w.production().id(), otherEnvUser.id());

        String app = host(w.staging(), GatewayDoor.APP);
        String studio = host(w.staging(), GatewayDoor.STUDIO);
        Map<String, String> owner = forwarded(decide(app, "/", w.owner().token(), false));
        assertEquals(w.owner().id().toString(), owner.get("X-Cloudplane-User-Id"));
        assertEquals(w.owner().email(), owner.get("X-Cloudplane-User-Email"));
        assertEquals("owner", owner.get("X-Cloudplane-Role"));
        Map<String, String> dev = forwarded(decide(app, "/", developer.token(), false));
        assertEquals("designer", dev.get("X-Cloudplane-Profile"));
        assertEquals("developer", dev.get("X-Cloudplane-Role"));
        Map<String, String> user = forwarded(decide(app, "/", endUser.token(), false));
        assertEquals("editor", user.get("X-Cloudplane-Profile"));
        assertEquals("user", user.get("X-Cloudplane-Role"));
        assertEquals(endUser.email(), user.get("X-Cloudplane-User-Email"));
        assertRespond(403, decide(app, "/", otherEnvUser.token(), true), "who has no access");
        assertRespond(403, decide(app, "/", stranger.token(), false), "no access");
        GatewayDecision.Respond anonymousBrowser = assertRespond(302, decide(app, "/page?x=1", null, true), null);
        assertTrue(anonymousBrowser.headers().get("Location").contains("/gateway/sign-in?to="
                + URLEncoder.encode("http://" + app + ":8081/page?x=1", StandardCharsets.UTF_8)), anonymousBrowser.headers().toString());
        GatewayDecision.Respond anonymousScript = assertRespond(401, decide(app, "/", null, false), "Sign-in required");
        assertEquals("Bearer", anonymousScript.headers().get("WWW-Authenticate"));
        assertEquals("application/problem+json", anonymousScript.headers().get("Content-Type"));

        // the Studio: the owner and developers only
        GatewayDecision.Forward ownersStudio = assertInstanceOf(GatewayDecision.Forward.class, decide(studio, "/", w.owner().token(), false));
        assertEquals(new InetSocketAddress("127.0.0.1", PORT), ownersStudio.backend());
        assertEquals("developer", forwarded(decide(studio, "/", developer.token(), false)).get("X-Cloudplane-Role"));
        assertRespond(403, decide(studio, "/", endUser.token(), true), "no access");
        assertRespond(403, decide(studio, "/", stranger.token(), false), null);
        assertRespond(302, decide(studio, "/", null, true), null);
        gateway.forwarded(request(studio, "/", null, false), ownersStudio);
        assertEquals(List.of(w.staging().id()), studioUses, "a forwarded Studio request is a Studio use");
    }

    @Test
    void aPublicProductionAppNeedsNoSignInAndStillTellsWhoIsSignedIn() throws Exception {
        World w = world();
        String app = host(w.production(), GatewayDoor.APP);
        GatewayDecision anonymous = decide(app, "/", null, true);
        assertEquals(Map.of(), forwarded(anonymous), "anonymous: no identity headers");
        assertEquals(keys.of(w.production().id().toString()),
                ((GatewayDecision.Forward) anonymous).identity().get(io.cloudplane.infra.gateway.GatewayKeys.HEADER),
                "every forward carries the server's gateway key");
        User stranger = signUp();
        Map<String, String> signedIn = forwarded(decide(app, "/", stranger.token(), false));
        assertEquals(stranger.id().toString(), signedIn.get("X-Cloudplane-User-Id"));
        assertFalse(signedIn.containsKey("X-Cloudplane-Role"), "not a member: no role");
        assertRespond(404, decide(host(w.production(), GatewayDoor.STUDIO), "/", w.owner().token(), false), "No environment here");
    }

    @Test
    void aRemovedMemberIsRefusedAtTheirNextRequest() throws Exception {
        World w = world();
        User developer = signUp();
        String studio = host(w.staging(), GatewayDoor.STUDIO);
        members.save(AppMemberRecord.of(w.appId(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        awaitListening();
        forwarded(decide(studio, "/", developer.token(), false));
        forwarded(decide(studio, "/", developer.token(), false)); // now from memory
        // removed by another process: refused once PostgreSQL's notification arrives
        sql("delete from app_members where app_id = ? and user_id = ?", w.appId(), developer.id());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (decide(studio, "/", developer.token(), false) instanceof GatewayDecision.Forward) {
            if (System.nanoTime() > deadline) {
                fail("the removed developer still gets in 5 s after the removal");
            }
            Thread.sleep(10);
        }
        // removed in this process: refused at once, the event heard before any notification
        members.save(AppMemberRecord.of(w.appId(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        awaitDecision(studio, developer, GatewayDecision.Forward.class);
        members.delete(members.findById(new AppMemberRecord.Key(w.appId(), developer.id())).orElseThrow());
        events.publishEvent(new MembershipChangedEvent(w.appId(), null, developer.id(), MembershipChangedEvent.Change.REMOVED));
        assertRespond(403, decide(studio, "/", developer.token(), false), null);
    }

    @Test
    void anApiTokenIsABearerTokenTooAndALimitedOneOnlyForItsApp() throws Exception {
        World w = world();
        String app = host(w.staging(), GatewayDoor.APP);
        String token = (String) calls.call("POST", "/api/v1/tokens", Map.of("name", "gw"), w.owner().token()).body().get("token");
        assertEquals("owner", forwarded(decide(app, "/", token, false)).get("X-Cloudplane-Role"));
        String limited = (String) calls.call("POST", "/api/v1/tokens", Map.of("name", "other", "appId", w.owner().sandboxId().toString()),
                w.owner().token()).body().get("token");
        assertRespond(401, decide(app, "/", limited, false), null);
        assertRespond(401, decide(app, "/", "not-a-token", false), null);
    }

    @Test
    void aTicketSignsInOnceAtItsOwnEnvironmentWithinAMinuteAndSignOutEndsTheSession() throws Exception {
        World w = world();
        String studio = host(w.staging(), GatewayDoor.STUDIO);
        GatewaySessions sessions = gatewaySessions();
        String ticket = sessions.issueTicket(w.owner().id(), w.staging().id(), GatewayDoor.STUDIO, "/editor?page=2");

        assertRespond(403, decide(host(w.production(), GatewayDoor.APP), "/_cloudplane/session?ticket=" + ticket, null, true),
                "does not work");
        GatewayDecision.Respond signedIn = assertRespond(302, decide(studio, "/_cloudplane/session?ticket=" + ticket, null, true), null);
        assertEquals("/editor?page=2", signedIn.headers().get("Location"));
        String setCookie = signedIn.headers().get("Set-Cookie");
        assertTrue(setCookie.startsWith(GatewayCallers.COOKIE + "="), setCookie);
        for (String attribute : List.of("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200")) {
            assertTrue(setCookie.toLowerCase(java.util.Locale.ROOT).contains(attribute.toLowerCase(java.util.Locale.ROOT)),
                    setCookie + " lacks " + attribute);
        }
        assertFalse(setCookie.contains("Secure"), "not over http: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertRespond(403, decide(studio, "/_cloudplane/session?ticket=" + ticket, null, true), "Sign in again");

        GatewayDecision forwardedWithCookie = gateway.decide(request(studio, "/", cookie, true)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(w.owner().id().toString(), forwarded(forwardedWithCookie).get("X-Cloudplane-User-Id"));
        // the cookie is this host's: at the app's door it names nobody
        assertRespond(302, gateway.decide(request(host(w.staging(), GatewayDoor.APP), "/", cookie, true)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS), null);

        GatewayDecision.Respond out = assertRespond(200, gateway.decide(request(studio, "/_cloudplane/sign-out", cookie, true))
                .toCompletableFuture().get(10, TimeUnit.SECONDS), "signed out");
        assertTrue(out.headers().get("Set-Cookie").contains("Max-Age=0"), out.headers().toString());
        assertRespond(302, gateway.decide(request(studio, "/", cookie, true)).toCompletableFuture().get(10, TimeUnit.SECONDS), null);

        String old = sessions.issueTicket(w.owner().id(), w.staging().id(), GatewayDoor.STUDIO, "/");
        sql("update gateway_tickets set expires_at = now() - interval '1 second' where user_id = ? and env_id = ?", w.owner().id(),
                w.staging().id());
        assertRespond(403, decide(studio, "/_cloudplane/session?ticket=" + old, null, true), null);
        assertRespond(403, decide(studio, "/_cloudplane/session?ticket=junk", null, false), null);
        assertEquals(1, sessions.purgeExpired(Instant.now()) >= 1 ? 1 : 0, "the expired ticket is purged");
    }

    @Test
    void stoppedSleepingAndFailedEnvironmentsAnswerWithPagesAndASleepingSandboxWakesForItsOwnersStudio() throws Exception {
        World w = world();
        String app = host(w.staging(), GatewayDoor.APP);
        environments.updateStatus(w.staging().id(), EnvironmentStatus.STOPPED, null, Instant.now());
        assertRespond(503, decideUntil(app, w.owner(), 503), "stopped by its owner");
        environments.updateStatus(w.staging().id(), EnvironmentStatus.FAILED, "boom", Instant.now());
        GatewayDecision.Respond failed = assertRespond(502, decideUntil(app, w.owner(), 502), "FAILED");
        assertFalse(new String(failed.body(), StandardCharsets.UTF_8).contains(String.valueOf(PORT)), "no internal port on a page");

        // the owner's sandbox, asleep
        User owner = w.owner();
        EnvironmentRecord sandbox = environments.findByAppId(owner.sandboxId()).get(0);
        environments.updateEndpoint(sandbox.id(), PORT, null, Instant.now());
        environments.updateStatus(sandbox.id(), EnvironmentStatus.SLEEPING, null, Instant.now());
        String sandboxStudio = host(sandbox, GatewayDoor.STUDIO);
        User stranger = signUp();
        members.save(AppMemberRecord.of(owner.sandboxId(), stranger.id(), AppMemberRecord.Role.DEVELOPER));
        assertRespond(503, decide(sandboxStudio, "/", stranger.token(), true), "its owner wakes it");
        assertRespond(503, decide(host(sandbox, GatewayDoor.APP), "/", owner.token(), true), "its owner wakes it");

        wake = envId -> false;
        GatewayDecision.Respond waking = assertRespond(503, decide(sandboxStudio, "/", owner.token(), true), "waking up");
        assertEquals("2", waking.headers().get("Retry-After"));
        assertTrue(new String(waking.body(), StandardCharsets.UTF_8).contains("http-equiv=\"refresh\" content=\"2\""));
        assertEquals("2", assertRespond(503, decide(sandboxStudio, "/", owner.token(), false), null).headers().get("Retry-After"));

        wake = envId -> {
            environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
            return true;
        };
        assertEquals("owner", forwarded(decide(sandboxStudio, "/", owner.token(), true)).get("X-Cloudplane-Role"),
                "woken, then forwarded");
        GatewayDecision.Respond down = gateway.backendFailed(request(sandboxStudio, "/", null, true),
                (GatewayDecision.Forward) decide(sandboxStudio, "/", owner.token(), true), new java.net.ConnectException("refused 127.0.0.1:" + PORT));
        assertEquals(502, down.status());
        assertFalse(new String(down.body(), StandardCharsets.UTF_8).contains(String.valueOf(PORT)));
    }

    @Test
    void anUnknownHostIsA404Page() throws Exception {
        assertRespond(404, decide("nothing-here-0123456789ab." + hostNames.domain(), "/", null, true), "No environment here");
        assertRespond(404, decide("example.com", "/", null, false), null);
    }

    @Test
    void theSignInPageSignsInOnceAndReturnsOnlyToAnEnvironment() throws Exception {
        World w = world();
        String studio = host(w.staging(), GatewayDoor.STUDIO);
        String to = hostNames.url(w.staging().hostLabel(), GatewayDoor.STUDIO) + "code?file=a.js";
        Got page = get("/gateway/sign-in?to=" + URLEncoder.encode(to, StandardCharsets.UTF_8), Map.of("Accept", "text/html"));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<form method=\"post\""), page.body());
        assertEquals(400, get("/gateway/sign-in?to=" + URLEncoder.encode("https://evil.example.com/", StandardCharsets.UTF_8),
                Map.of("Accept", "text/html")).statusCode());
        Got foreign = get("/gateway/sign-in?to=" + URLEncoder.encode("http://evil.example.com/", StandardCharsets.UTF_8), Map.of());
        assertEquals(400, foreign.statusCode());
        assertTrue(foreign.body().contains("\"field\":\"to\""), foreign.body());
        java.net.URI asked = java.net.URI.create(to);
        String otherPort = to.replace(":" + asked.getPort() + "/", ":" + (asked.getPort() == 9999 ? 9998 : 9999) + "/");
        assertNotEquals(to, otherPort);
        assertEquals(400, get("/gateway/sign-in?to=" + URLEncoder.encode(otherPort, StandardCharsets.UTF_8), Map.of()).statusCode());

        // a post without the form's token (another site's page posting it: login CSRF), or with another form's: refused
        Map<String, String> owners = Map.of("email", w.owner().email(), "password", PASSWORD, "to", to);
        Got forged = postForm(owners, null, null);
        assertEquals(403, forged.statusCode(), forged.body());
        assertTrue(forged.headers().get("location") == null, "no way back, no ticket");
        Got otherForm = postForm(owners, "cloudplane_sign_in=one-form", "another-form");
        assertEquals(403, otherForm.statusCode(), otherForm.body());
        Got wrong = postForm(Map.of("email", w.owner().email(), "password", "wrong-password-1", "to", to));
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("<form"), "the form again: " + wrong.body());
        Got good = postForm(Map.of("email", w.owner().email(), "password", PASSWORD, "to", to));
        assertEquals(303, good.statusCode(), good.body());
        String location = good.header("Location").orElseThrow();
        String prefix = hostNames.origin(studio) + "/_cloudplane/session?ticket=";
        assertTrue(location.startsWith(prefix), location);
        String path = location.substring(hostNames.origin(studio).length());
        GatewayDecision.Respond signedIn = assertRespond(302, decide(studio, path, null, true), null);
        assertEquals("/code?file=a.js", signedIn.headers().get("Location"));
        assertRespond(403, decide(studio, path, null, true), null);
    }

    @Test
    void forwardAuthenticationAnswersTheSameDecisionAsStatusesOverHttp() throws Exception {
        World w = world();
        String app = hostNames.url(w.staging().hostLabel(), GatewayDoor.APP);
        Got owner = get("/gateway/auth", Map.of("X-Original-URL", app + "page", "Authorization", "Bearer " + w.owner().token()));
        assertEquals(200, owner.statusCode(), owner.body());
        assertEquals(w.owner().id().toString(), owner.header("X-Cloudplane-User-Id").orElseThrow());
        assertEquals("owner", owner.header("X-Cloudplane-Role").orElseThrow());
        assertTrue(owner.header(io.cloudplane.infra.gateway.GatewayKeys.HEADER).isEmpty(),
                "the local servers' gateway key never leaves in an answer of the (anonymous) endpoint");
        assertEquals(401, get("/gateway/auth", Map.of("X-Original-URL", app, "Accept", "text/html")).statusCode());
        User stranger = signUp();
        assertEquals(403, get("/gateway/auth", Map.of("X-Original-URL", app, "Authorization", "Bearer " + stranger.token())).statusCode());
        assertEquals(200, get("/gateway/auth", Map.of("X-Forwarded-Host", host(w.production(), GatewayDoor.APP), "X-Forwarded-Uri", "/"))
                .statusCode(), "public production");
        assertEquals(404, get("/gateway/auth", Map.of("X-Original-URL", "http://nowhere.example.com/")).statusCode());
        assertEquals(400, get("/gateway/auth", Map.of()).statusCode());
        Got studio = get("/gateway/auth", Map.of("X-Original-URL", hostNames.url(w.staging().hostLabel(), GatewayDoor.STUDIO),
                "Authorization", "Bearer " + w.owner().token()));
        assertEquals(200, studio.statusCode());
        assertEquals(List.of(w.staging().id()), studioUses, "the Studio's use recorded");
    }

    /**
     * On Kubernetes the Ingress hands {@code /_cloudplane/session} to the API: a request it says came over https (a custom
     * domain with its own certificate, the base domain served over http) gets a Secure cookie; one over http does not.
     */
    @Test
    void theSessionCookieIsSecureWhenTheIngressSaysTheRequestCameOverHttps() throws Exception {
        World w = world();
        String studio = host(w.staging(), GatewayDoor.STUDIO);
        GatewaySessions sessions = gatewaySessions();
        String overHttps = sessions.issueTicket(w.owner().id(), w.staging().id(), GatewayDoor.STUDIO, "/");
        Got secure = get("/_cloudplane/session?ticket=" + overHttps, Map.of("Host", studio, "X-Forwarded-Proto", "https", "Accept", "text/html"));
        assertEquals(302, secure.statusCode(), secure.body());
        assertTrue(secure.header("Set-Cookie").orElseThrow().contains("Secure"), secure.header("Set-Cookie").orElseThrow());
        String overHttp = sessions.issueTicket(w.owner().id(), w.staging().id(), GatewayDoor.STUDIO, "/");
        Got plain = get("/_cloudplane/session?ticket=" + overHttp, Map.of("Host", studio, "Accept", "text/html"));
        assertEquals(302, plain.statusCode(), plain.body());
        assertFalse(plain.header("Set-Cookie").orElseThrow().contains("Secure"), plain.header("Set-Cookie").orElseThrow());
    }

    @Test
    void studioSessionsReturnsALinkThatSignsInOnce() throws Exception {
        World w = world();
        EnvironmentRecord development = environments.findByAppId(w.appId()).stream()
                .filter(e -> e.type() == EnvironmentType.DEVELOPMENT).findFirst().orElseThrow();
        environments.updateStatus(development.id(), EnvironmentStatus.RUNNING, null, Instant.now());
        environments.updateEndpoint(development.id(), PORT, null, Instant.now());
        JsonCalls.Answer opened = calls.call("POST", "/api/v1/apps/" + w.appId() + "/environments/" + development.id() + "/studio-sessions",
                null, w.owner().token());
        assertEquals(201, opened.status(), opened.body().toString());
        URI link = URI.create((String) opened.body().get("studioUrl"));
        String studio = host(development, GatewayDoor.STUDIO);
        assertEquals(studio, link.getHost());
        // over HTTP too, as the Ingress routes /_cloudplane/ of the host on Kubernetes
        Got first = get(link.getRawPath() + "?" + link.getRawQuery(), Map.of("Host", studio, "Accept", "text/html"));
        assertEquals(302, first.statusCode(), first.body());
        assertTrue(first.header("Set-Cookie").orElseThrow().startsWith(GatewayCallers.COOKIE + "="));
        Got second = get(link.getRawPath() + "?" + link.getRawQuery(), Map.of("Host", studio, "Accept", "text/html"));
        assertEquals(403, second.statusCode());
    }

    // ---- custom domains

    @Test
    void aVerifiedCustomDomainIsItsEnvironmentsAppDoorWithTheSameRulesAndSignIn() throws Exception {
        World w = world();
        User stranger = signUp();
        String custom = "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
        DomainRecord pending = domains.save(domain(w.staging(), custom, DomainStatus.PENDING_VERIFICATION));
        awaitListening();
        assertRespond(404, decide(custom, "/", w.owner().token(), false), "No environment here");
        domains.update(verified(pending, DomainStatus.VERIFIED));
        awaitDecision(custom, w.owner(), GatewayDecision.Forward.class);
        assertEquals("owner", forwarded(decide(custom, "/", w.owner().token(), false)).get("X-Cloudplane-Role"));
        assertEquals("owner", forwarded(decide(custom.toUpperCase(java.util.Locale.ROOT) + ".", "/", w.owner().token(), false))
                .get("X-Cloudplane-Role"), "any case, a trailing dot");
        assertRespond(403, decide(custom, "/", stranger.token(), false), "no access");
        GatewayDecision.Respond anonymous = assertRespond(302, decide(custom, "/page?x=1", null, true), null);
        assertTrue(anonymous.headers().get("Location").endsWith("/gateway/sign-in?to="
                + URLEncoder.encode("http://" + custom + ":8081/page?x=1", StandardCharsets.UTF_8)), anonymous.headers().toString());
        assertRespond(404, decide("studio-" + custom, "/", w.owner().token(), false), "No environment here");
        // a domain that failed before it was ever verified is no door
        DomainRecord other = domains.save(domain(w.production(), "other-" + custom, DomainStatus.FAILED));
        assertRespond(404, decide("other-" + custom, "/", null, false), null);
        domains.delete(other);

        // the sign-in page returns to the custom host, as Cloudplane serves it (http until a certificate is served)
        String origin = hostNames.customOrigin(custom, false);
        assertEquals("http://" + custom + ":" + gatewayServer.port(), origin);
        String to = origin + "/orders?id=7";
        assertEquals(200, get("/gateway/sign-in?to=" + URLEncoder.encode(to, StandardCharsets.UTF_8), Map.of("Accept", "text/html")).statusCode());
        assertEquals(400, get("/gateway/sign-in?to=" + URLEncoder.encode(to.replace("http:", "https:"), StandardCharsets.UTF_8), Map.of())
                .statusCode(), "not as Cloudplane serves it");
        Got good = postForm(Map.of("email", w.owner().email(), "password", PASSWORD, "to", to));
        assertEquals(303, good.statusCode(), good.body());
        String location = good.header("Location").orElseThrow();
        assertTrue(location.startsWith(origin + "/_cloudplane/session?ticket="), location);
        GatewayDecision.Respond signedIn = assertRespond(302, decide(custom, location.substring(origin.length()), null, true), null);
        assertEquals("/orders?id=7", signedIn.headers().get("Location"));
        String cookie = signedIn.headers().get("Set-Cookie").split(";", 2)[0];
        assertEquals("owner", forwarded(gateway.decide(request(custom, "/", cookie, true)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .get("X-Cloudplane-Role"), "the session cookie works at the custom host");

        // once its certificate is served: https, and the cookie made there is Secure
        SelfSignedCertificates.Made certificate = SelfSignedCertificates.forHosts(custom);
        domains.update(withCertificate(domains.findById(pending.id()).orElseThrow(), DomainStatus.ACTIVE, certificate));
        String httpsOrigin = "https://" + custom + ":" + gatewayServer.tlsPort();
        awaitTarget(httpsOrigin + "/");
        Got secure = postForm(Map.of("email", w.owner().email(), "password", PASSWORD, "to", httpsOrigin + "/"));
        String secureLink = secure.header("Location").orElseThrow();
        assertTrue(secureLink.startsWith(httpsOrigin + "/_cloudplane/session?ticket="), secureLink);
        GatewayDecision.Respond overHttps = assertRespond(302, gateway.decide(request(custom, "GET", secureLink.substring(httpsOrigin.length()),
                "https", null, true)).toCompletableFuture().get(10, TimeUnit.SECONDS), null);
        assertTrue(overHttps.headers().get("Set-Cookie").contains("Secure"), overHttps.headers().toString());
    }

    @Test
    void acmeChallengesAreAnsweredOverHttpBeforeAnyRuleAndServedDomainsAreRedirectedToHttps() throws Exception {
        World w = world();
        String custom = "acme-" + UUID.randomUUID().toString().substring(0, 8) + ".example.org";
        DomainRecord domain = domains.save(domain(w.staging(), custom, DomainStatus.PENDING_VERIFICATION));
        String token = "tok-" + UUID.randomUUID();
        challenges.save(new AcmeChallengeRecord(token, custom, token + ".thumbprint", Instant.now().plusSeconds(60)));
        challenges.save(new AcmeChallengeRecord(token + "-old", custom, "old", Instant.now().minusSeconds(1)));
        String path = AcmeChallengeRecord.PATH_PREFIX + token;

        GatewayDecision.Respond answer = assertRespond(200, decide(custom, path, null, false), token + ".thumbprint");
        assertEquals(token + ".thumbprint", new String(answer.body(), StandardCharsets.US_ASCII));
        assertTrue(answer.headers().get("Content-Type").startsWith("text/plain"), answer.headers().toString());
        assertRespond(404, decide(custom, path + "-old", null, false), null);
        assertRespond(404, decide(custom, AcmeChallengeRecord.PATH_PREFIX + "unknown", null, false), null);
        assertRespond(404, decide("elsewhere-" + custom, path, null, false), null);
        assertEquals("owner", forwarded(decide(host(w.staging(), GatewayDoor.APP), path, w.owner().token(), false)).get("X-Cloudplane-Role"),
                "Cloudplane's own hosts have no challenges: the path is the app's");

        // ACTIVE with a certificate: everything but the challenges goes to https (301 for GET/HEAD, 308 for the rest)
        domains.update(withCertificate(verified(domain, DomainStatus.ACTIVE), DomainStatus.ACTIVE, SelfSignedCertificates.forHosts(custom)));
        String https = "https://" + custom + ":" + gatewayServer.tlsPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        GatewayDecision first;
        while (!((first = decide(custom, "/a?b=1", null, true)) instanceof GatewayDecision.Respond r && r.status() == 301)) {
            if (System.nanoTime() > deadline) {
                fail("no redirect 5 s after the domain became ACTIVE: " + first);
            }
            Thread.sleep(10);
        }
        assertEquals(https + "/a?b=1", ((GatewayDecision.Respond) first).headers().get("Location"));
        GatewayDecision.Respond post = assertRespond(308, gateway.decide(request(custom, "POST", "/form", "http", null, false))
                .toCompletableFuture().get(10, TimeUnit.SECONDS), null);
        assertEquals(https + "/form", post.headers().get("Location"));
        assertRespond(200, decide(custom, path, null, false), token + ".thumbprint");
        assertRespond(302, gateway.decide(request(custom, "GET", "/a", "https", null, true)).toCompletableFuture().get(10, TimeUnit.SECONDS),
                null); // over https: the access rules (members only: to the sign-in page)
    }

    @Test
    void theHttpsListenerServesEachDomainsOwnCertificateBySniAndANewOneWithoutARestart() throws Exception {
        World w = world();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String first = "one-" + suffix + ".example.com";
        String second = "two-" + suffix + ".example.net";
        String unserved = "three-" + suffix + ".example.net";
        SelfSignedCertificates.Made one = SelfSignedCertificates.forHosts(first);
        SelfSignedCertificates.Made two = SelfSignedCertificates.forHosts(second);
        DomainRecord firstRow = domains.save(withCertificate(verified(domain(w.staging(), first, DomainStatus.ACTIVE),
                DomainStatus.ACTIVE), DomainStatus.ACTIVE, one));
        domains.save(withCertificate(verified(domain(w.production(), second, DomainStatus.ACTIVE), DomainStatus.RENEWING),
                DomainStatus.RENEWING, two));
        domains.save(verified(domain(w.production(), unserved, DomainStatus.VERIFIED), DomainStatus.VERIFIED));

        Tls a = tls(first);
        assertEquals(one.certificate(), a.certificate());
        assertEquals("http/1.1", a.protocol(), "ALPN: HTTP/1.1 only");
        assertEquals(two.certificate(), tls(second).certificate());
        assertEquals(two.certificate(), tls(second.toUpperCase(java.util.Locale.ROOT)).certificate());
        assertThrows(javax.net.ssl.SSLException.class, () -> tls("unknown-" + suffix + ".example.com"));
        assertThrows(javax.net.ssl.SSLException.class, () -> tls(unserved), "verified, no certificate yet: none served");
        assertThrows(javax.net.ssl.SSLException.class, () -> tls(null), "no SNI: no default certificate");

        // the same pipeline behind TLS: a members-only app sends an anonymous browser to sign in, back to the https URL
        String https = "https://" + first + ":" + gatewayServer.tlsPort();
        String answer = tls(first, "GET /x HTTP/1.1\r\nHost: " + first + ":" + gatewayServer.tlsPort()
                + "\r\nAccept: text/html\r\nConnection: close\r\n\r\n").answer();
        assertTrue(answer.startsWith("HTTP/1.1 302"), answer);
        assertTrue(answer.contains("?to=" + URLEncoder.encode(https + "/x", StandardCharsets.UTF_8)), answer);
        String publicAnswer = tls(second, "GET / HTTP/1.1\r\nHost: " + second + "\r\nConnection: close\r\n\r\n").answer();
        assertTrue(publicAnswer.startsWith("HTTP/1.1 502"), "public production, forwarded to its (absent) server: " + publicAnswer);

        // a new certificate in the row is served from the next handshakes on, without a restart
        SelfSignedCertificates.Made replaced = SelfSignedCertificates.forHosts(first);
        domains.update(withCertificate(domains.findById(firstRow.id()).orElseThrow(), DomainStatus.ACTIVE, replaced));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!tls(first).certificate().equals(replaced.certificate())) {
            if (System.nanoTime() > deadline) {
                fail("the replaced certificate is not served 5 s after the row changed");
            }
            Thread.sleep(20);
        }
        assertEquals(two.certificate(), tls(second).certificate());
        domains.delete(domains.findById(firstRow.id()).orElseThrow());
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                tls(first);
            } catch (javax.net.ssl.SSLException gone) {
                break;
            }
            if (System.nanoTime() > deadline) {
                fail("a deleted domain's certificate is still served 5 s later");
            }
            Thread.sleep(20);
        }
    }

    // ---- helpers

    private DomainRecord domain(EnvironmentRecord env, String hostname, DomainStatus status) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new DomainRecord(UUID.randomUUID(), env.appId(), env.id(), hostname, status, "challenge-" + UUID.randomUUID(), null, now, now,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static DomainRecord verified(DomainRecord d, DomainStatus status) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new DomainRecord(d.id(), d.appId(), d.envId(), d.hostname(), status, d.challengeToken(), d.createdBy(), d.createdAt(), now,
                now, "verified", now, null, d.certificateSource(), d.certificateChainPem(), d.certificateKeySealed(), d.certificateIssuer(),
                d.certificateNotBefore(), d.certificateNotAfter(), d.certificateInstalledAt(), null, null, null);
    }

    private DomainRecord withCertificate(DomainRecord d, DomainStatus status, SelfSignedCertificates.Made certificate) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new DomainRecord(d.id(), d.appId(), d.envId(), d.hostname(), status, d.challengeToken(), d.createdBy(), d.createdAt(), now,
                d.lastCheckedAt(), d.lastCheckResult(), d.verifiedAt() == null ? now : d.verifiedAt(), null, CertificateSource.UPLOADED,
                certificate.chainPem(), secrets.encrypt(certificate.keyPem()), certificate.certificate().getIssuerX500Principal().getName(),
                certificate.certificate().getNotBefore().toInstant(), certificate.certificate().getNotAfter().toInstant(), now, null, null, null);
    }

    private void awaitTarget(String to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gateway.target(to).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail(to + " is not a sign-in target 5 s after its domain changed");
            }
            Thread.sleep(10);
        }
    }

    /** A TLS connection's outcome: the certificate the gateway showed, the ALPN protocol, and the answer to what was sent (if anything). */
    private record Tls(java.security.cert.X509Certificate certificate, String protocol, String answer) {
    }

    private Tls tls(String sni) throws Exception {
        return tls(sni, null);
    }

    /** Connects to the gateway's HTTPS listener naming {@code sni} (null: none), trusting any certificate (a test's own), with no session to resume. */
    private Tls tls(String sni, String send) throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", gatewayServer.tlsPort())) {
            socket.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new javax.net.ssl.SNIHostName(sni)));
            parameters.setApplicationProtocols(new String[]{"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            java.security.cert.X509Certificate certificate = (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
            String answer = null;
            if (send != null) {
                socket.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Tls(certificate, socket.getApplicationProtocol(), answer);
        }
    }

    private GatewaySessions gatewaySessions() {
        return sessions;
    }

    private String host(EnvironmentRecord env, GatewayDoor door) {
        return hostNames.host(environments.findById(env.id()).orElseThrow().hostLabel(), door);
    }

    private GatewayDecision decide(String host, String uri, String bearerOrCookie, boolean browser) throws Exception {
        return gateway.decide(request(host, uri, bearerOrCookie == null ? null : "Bearer " + bearerOrCookie, browser))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** After a status written here: until its notification comes, the kept place may be the old one, so wait for it. */
    private GatewayDecision decideUntil(String host, User owner, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        GatewayDecision d = decide(host, "/", owner.token(), true);
        while (!(d instanceof GatewayDecision.Respond r && r.status() == status) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            d = decide(host, "/", owner.token(), true);
        }
        return d;
    }

    private void awaitDecision(String host, User user, Class<?> type) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!type.isInstance(decide(host, "/", user.token(), false))) {
            if (System.nanoTime() > deadline) {
                fail("not " + type.getSimpleName() + " within 5 s");
            }
            Thread.sleep(10);
        }
    }

    /** {@code credential}: an Authorization header value ("Bearer …"), or a cookie ("name=value"). */
    private GatewayRequest request(String host, String uri, String credential, boolean browser) {
        return request(host, "GET", uri, "http", credential, browser);
    }

    private GatewayRequest request(String host, String method, String uri, String scheme, String credential, boolean browser) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (browser) {
            headers.set("Accept", "text/html,application/xhtml+xml");
        }
        if (credential != null) {
            headers.set(credential.startsWith("Bearer ") ? "Authorization" : "Cookie", credential);
        }
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 50_000);
        return new GatewayRequest(host + ":8081", method, uri, headers, peer, "127.0.0.1", scheme, false);
    }

    /** The identity headers of a forward (without the server's gateway key, which every forward carries). */
    private static Map<String, String> forwarded(GatewayDecision decision) {
        if (decision instanceof GatewayDecision.Respond r) {
            fail("expected a forward, got " + r.status() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        Map<String, String> identity = new java.util.HashMap<>(((GatewayDecision.Forward) decision).identity());
        identity.remove(io.cloudplane.infra.gateway.GatewayKeys.HEADER);
        return identity;
    }

    private static GatewayDecision.Respond assertRespond(int status, GatewayDecision decision, String containing) {
        GatewayDecision.Respond r = assertInstanceOf(GatewayDecision.Respond.class, decision, "expected a " + status + ", got " + decision);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.status(), body);
        if (containing != null) {
            assertTrue(body.contains(containing), "'" + containing + "' not in " + body);
        }
        return r;
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (changes.routeGeneration() == AppListChanges.UNKNOWN) {
            if (System.nanoTime() > deadline) {
                fail("not listening");
            }
            Thread.sleep(20);
        }
    }

    /** An answer over HTTP: status, headers (names lower case, first value), body. */
    private record Got(int statusCode, Map<String, String> headers, String body) {
        java.util.Optional<String> header(String name) {
            return java.util.Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        }
    }

    /** A GET over a connection of its own, so that any Host can be sent (the JDK's client will not). */
    private Got get(String path, Map<String, String> headers) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.getHost(), server.getPort())) {
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nConnection: close\r\n");
            if (!headers.containsKey("Host")) {
                request.append("Host: ").append(server.getHost()).append(':').append(server.getPort()).append("\r\n");
            }
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            return parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Posts the sign-in form as a browser does: with the form token of the page it got first (its cookie and hidden field). */
    private Got postForm(Map<String, String> form) throws Exception {
        Got page = get("/gateway/sign-in?to=" + URLEncoder.encode(form.get("to"), StandardCharsets.UTF_8), Map.of("Accept", "text/html"));
        java.util.regex.Matcher field = java.util.regex.Pattern.compile("name=\"form\" value=\"([^\"]+)\"").matcher(page.body());
        assertTrue(field.find(), page.body());
        String cookie = page.headers().get("set-cookie").split(";", 2)[0];
        return postForm(form, cookie, field.group(1));
    }

    private Got postForm(Map<String, String> form, String cookie, String token) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        if (token != null) {
            body.append("&form=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURI() + "/gateway/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html");
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        HttpResponse<String> r = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> headers = new java.util.HashMap<>();
        r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        return new Got(r.statusCode(), headers, r.body());
    }

    private static Got parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        String[] lines = raw.substring(0, end).split("\r\n");
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = raw.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
                if (size == 0) {
                    break;
                }
                joined.append(body, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
            body = joined.toString();
        }
        return new Got(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    private World world() throws Exception {
        User owner = signUp();
        JsonCalls.Answer created = calls.call("POST", "/api/v1/apps", Map.of("name", "gw-" + UUID.randomUUID().toString().substring(0, 8)),
                owner.token());
        assertEquals(202, created.status(), created.body().toString());
        UUID appId = UUID.fromString((String) created.body().get("id"));
        return new World(owner, appId, running(appId, "staging", EnvironmentType.STAGING), running(appId, "production", EnvironmentType.PRODUCTION));
    }

    private EnvironmentRecord running(UUID appId, String name, EnvironmentType type) {
        UUID envId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        environments.save(new EnvironmentRecord(envId, appId, name, type, null, EnvironmentStatus.RUNNING, null, "1.0.0",
                PORT, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        return environments.findById(envId).orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private User signUp() throws Exception {
        String email = "gw-" + UUID.randomUUID() + "@example.com";
        JsonCalls.Answer created = calls.call("POST", "/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Gate", "lastName", "Way"), null);
        assertEquals(201, created.status(), created.body().toString());
        JsonCalls.Answer session = calls.call("POST", "/api/v1/sessions", Map.of("email", email, "password", PASSWORD), null);
        assertNotNull(session.body().get("accessToken"), session.body().toString());
        return new User(UUID.fromString((String) ((Map<String, Object>) created.body().get("account")).get("id")), email,
                (String) session.body().get("accessToken"), UUID.fromString((String) created.body().get("sandboxAppId")));
    }

    private void sql(String statement, Object... parameters) throws Exception {
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            s.executeUpdate();
        }
    }
}
