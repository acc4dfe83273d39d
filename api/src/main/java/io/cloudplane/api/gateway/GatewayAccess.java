package io.cloudplane.api.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cloudplane.infra.app.AppListChanges;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.domain.AcmeChallengeRecord;
import io.cloudplane.infra.domain.AcmeChallengeRepository;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentAccess;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.infra.gateway.GatewayKeys;
import io.cloudplane.infra.gateway.GatewayTicketRecord;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.cloudplane.infra.team.TeamDirectory;
import io.cloudplane.infra.team.TeamMember;
import io.cloudplane.workflows.domain.DomainStatus;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.TaskExecutors;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;

/**
 * Who gets in, for both ways into an environment: the local gateway ({@link GatewayRouter}) and the
 * forward authentication of the Kubernetes Ingress ({@code GatewayAuthController}), which turns the
 * same decisions into statuses.
 *
 * <p>Per request: the host names an environment and a door; the paths under {@value #RESERVED} are
 * the gateway's own (a one-time ticket turned into a session cookie, a sign-out) and never
 * forwarded; the caller is the person of the bearer token or the session cookie; the permission is
 * decided from the memberships (the Studio: the owner and the developers; the app: anyone when
 * public, else also the end users invited to that environment); then the environment's status
 * says whether the request is forwarded, a sleeping sandbox woken for its owner's Studio, or
 * answered with a page.
 *
 * <p>Environments by host and memberships by environment are kept in memory with the
 * {@link AppListChanges#routeGeneration() route generation} read before they were read, and used only while
 * it is still that one: any change of the rows they come from (an environment's status, port or
 * access; a membership), by any process, moves it once PostgreSQL's notification arrives, and a
 * change in this process ({@link MembershipChangedEvent}) drops an app's at once. What is not in
 * memory is read on the blocking executor, never on the gateway's event loop.
 *
 * <p>A host that is not under the base domain may be a custom domain ({@link GatewayDomains}): once
 * verified it is the app door of its environment, with the same rules. Over http it answers the
 * ACME HTTP-01 challenges under way for it (before any rule), and once its certificate is served it
 * sends everything else to https.
 */
@Singleton
public class GatewayAccess implements GatewayRouter {
    public static final String RESERVED = "/_cloudplane/";
    public static final String SESSION_PATH = RESERVED + "session";
    public static final String SIGN_OUT_PATH = RESERVED + "sign-out";
    public static final String SIGN_IN_PATH = "/gateway/sign-in";
    private static final Logger LOG = LoggerFactory.getLogger(GatewayAccess.class);
    private static final int RETRY_SECONDS = 2;

    private final HostNames hostNames;
    private final EnvironmentRepository environments;
    private final AppRepository apps;
    private final TeamDirectory team;
    private final AppListChanges changes;
    private final GatewayCallers callers;
    private final GatewaySessions sessions;
    private final GatewayPages pages;
    private final StudioUse studioUse;
    private final SandboxWaking waking;
    private final ExecutorService blocking;
    private final GatewaySettings settings;
    private final String consoleUrl;
    private final boolean kubernetes;

    /** An environment's door, as a host names it. */
    public record Place(EnvironmentRecord env, GatewayDoor door, boolean sandbox) {
    }

    private record Kept<T>(long generation, T value) {
    }

    private record Members(UUID appId, Map<UUID, TeamMember> byUser) {
    }

    /** A custom domain's row, and its environment's app door once the domain is verified. */
    private record Custom(DomainRecord domain, Optional<Place> place) {
    }

    private final GatewayKeys keys;
    private final GatewayDomains domains;
    private final AcmeChallengeRepository challenges;
    /** Environment → its server's gateway key (derived, so never stale). */
    private final Cache<UUID, String> serverKeys = Caffeine.newBuilder().maximumSize(50_000).build();
    /** Host label → the place it names (empty: none), with the generation it was read at. */
    private final Cache<String, Kept<Optional<Place>>> places = Caffeine.newBuilder().maximumSize(50_000).build();
    /** Environment → its app door (for its custom domains; empty: none), with the generation it was read at. */
    private final Cache<UUID, Kept<Optional<Place>>> appDoors = Caffeine.newBuilder().maximumSize(50_000).build();
    /** Environment → its members, with the generation they were read at. */
    private final Cache<UUID, Kept<Members>> members = Caffeine.newBuilder().maximumSize(50_000).build();

    private final GatewayMeters meters;

    public GatewayAccess(HostNames hostNames, EnvironmentRepository environments, AppRepository apps, TeamDirectory team,
                         AppListChanges changes, GatewayCallers callers, GatewaySessions sessions, GatewayPages pages,
                         StudioUse studioUse, SandboxWaking waking, @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
                         GatewaySettings settings, CloudplaneSettings cloudplane, GatewayKeys keys, GatewayDomains domains,
                         AcmeChallengeRepository challenges, GatewayMeters meters) {
        this.meters = meters;
        this.keys = keys;
        this.domains = domains;
        this.challenges = challenges;
        this.hostNames = hostNames;
        this.environments = environments;
        this.apps = apps;
        this.team = team;
        this.changes = changes;
        this.callers = callers;
        this.sessions = sessions;
        this.pages = pages;
        this.studioUse = studioUse;
        this.waking = waking;
        this.blocking = blocking;
        this.settings = settings;
        this.consoleUrl = cloudplane.consoleUrl().replaceAll("/+$", "");
        this.kubernetes = cloudplane.runtime().equals("kubernetes");
    }

    // ---- the router

    @Override
    public CompletionStage<GatewayDecision> decide(GatewayRequest request) {
        return meters.counted(decideUncounted(request));
    }

    private CompletionStage<GatewayDecision> decideUncounted(GatewayRequest request) {
        try {
            return settle(request, attempt(request, new Lookup(true, true)));
        } catch (NotInMemory miss) {
            return CompletableFuture.supplyAsync(() -> attempt(request, new Lookup(false, true)), blocking)
                    .thenCompose(outcome -> settle(request, outcome))
                    .exceptionally(e -> {
                        LOG.warn("Gateway decision for {} failed", request.host(), e);
                        return pages.answer(request.fromBrowser(), 503, "Try again in a moment",
                                "Cloudplane could not decide on this request just now.", null);
                    });
        }
    }

    @Override
    public GatewayDecision.Respond backendFailed(GatewayRequest request, GatewayDecision.Forward forward, Throwable cause) {
        Place place = (Place) forward.route();
        meters.backendFailed();
        LOG.debug("Backend of {} failed: {}", place.env().id(), cause.toString());
        return pages.answer(request.fromBrowser(), 502, "The server is not answering",
                "The server of environment " + place.env().name() + " did not answer (its status: " + place.env().status() + ").", null);
    }

    @Override
    public void forwarded(GatewayRequest request, GatewayDecision.Forward forward) {
        Place place = (Place) forward.route();
        if (place.door() == GatewayDoor.STUDIO) {
            studioUse.used(place.env().appId(), place.env().id(), place.sandbox());
        }
    }

    /** Another part of this process changed a membership: what is kept for that app goes now, not when the notification comes. */
    @EventListener
    void membershipChanged(MembershipChangedEvent event) {
        members.asMap().values().removeIf(kept -> kept.value().appId().equals(event.appId()));
    }

    // ---- the sign-in page's questions

    /** Where an absolute URL {@code to} asks to go: the place and the path, when it is one of an existing environment's doors, as its URL. */
    public Optional<Target> target(String to) {
        URI uri;
        try {
            uri = new URI(to);
        } catch (Exception e) {
            return Optional.empty();
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
            return Optional.empty();
        }
        String bare = HostNames.bare(uri.getRawAuthority());
        Optional<Place> place;
        String origin;
        if (bare != null && !hostNames.underDomain(bare)) {
            Optional<Custom> custom = new Lookup(false, false).custom(bare);
            place = custom.flatMap(Custom::place);
            origin = place.isEmpty() ? null : hostNames.customOrigin(bare, custom.get().domain().status().servesCertificate());
        } else {
            Optional<HostNames.Candidates> candidates = hostNames.parse(uri.getRawAuthority());
            place = candidates.isEmpty() ? Optional.empty() : new Lookup(false, false).place(candidates.get());
            origin = place.isEmpty() ? null : hostNames.origin(hostNames.host(place.get().env().hostLabel(), place.get().door()));
        }
        if (place.isEmpty()) {
            return Optional.empty();
        }
        if (!(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT)).equals(origin)) {
            return Optional.empty(); // the environment's host, but not as Cloudplane serves it (another port or scheme)
        }
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return Optional.of(new Target(place.get(), origin, GatewaySessions.safePath(path)));
    }

    /** A door of an environment as the sign-in page was asked to return to it. */
    public record Target(Place place, String origin, String path) {
        /** The one-time link that signs the holder of {@code ticket} in there. */
        public String ticketUrl(String ticket) {
            return origin + SESSION_PATH + "?ticket=" + ticket;
        }
    }

    /** The console's sign-in page, which comes back to {@code url}. */
    public String signInUrl(String url) {
        return consoleUrl + SIGN_IN_PATH + "?to=" + URLEncoder.encode(url, StandardCharsets.UTF_8);
    }

    // ---- the decision

    /** What one attempt at a decision came to: an answer, or a sandbox to wake first. */
    private sealed interface Outcome {
    }

    private record Decided(GatewayDecision decision) implements Outcome {
    }

    private record Wake(Place place, UUID ownerId) implements Outcome {
    }

    private CompletionStage<GatewayDecision> settle(GatewayRequest request, Outcome outcome) {
        if (outcome instanceof Decided decided) {
            return CompletableFuture.completedFuture(decided.decision());
        }
        Wake wake = (Wake) outcome;
        return waking.wake(wake.place().env().appId(), wake.place().env().id(), wake.ownerId())
                .thenApplyAsync(awake -> {
                    if (Boolean.TRUE.equals(awake)) {
                        // read again, not from memory: the notification of the new status may not have come yet
                        Outcome again = attempt(request, new Lookup(false, false));
                        if (again instanceof Decided decided) {
                            return decided.decision();
                        }
                    }
                    return wakingUp(request);
                }, blocking);
    }

    private GatewayDecision wakingUp(GatewayRequest request) {
        GatewayDecision.Respond respond = request.fromBrowser()
                ? pages.reloading(503, "Waking up", "This sandbox was asleep and is waking up: this page reloads itself until it is ready.",
                RETRY_SECONDS)
                : pages.problem(503, "Waking up", "This sandbox was asleep and is waking up: try again in " + RETRY_SECONDS + " s.");
        respond.headers().set("Retry-After", String.valueOf(RETRY_SECONDS));
        return respond;
    }

    private Outcome attempt(GatewayRequest request, Lookup lookup) {
        boolean browser = request.fromBrowser();
        String bare = HostNames.bare(request.host());
        Optional<Place> found;
        String home; // the door's origin as Cloudplane serves it
        String asked; // the door's origin as the request named it
        if (bare != null && !hostNames.underDomain(bare)) {
            Optional<Custom> custom = lookup.custom(bare);
            if (custom.isPresent() && request.scheme().equals("http")) {
                DomainRecord domain = custom.get().domain();
                if (request.path().startsWith(AcmeChallengeRecord.PATH_PREFIX)) {
                    if (lookup.memoryOnly) {
                        throw NotInMemory.INSTANCE; // read at each request: a challenge lives for seconds
                    }
                    return new Decided(challenge(request, domain));
                }
                if (domain.status().servesCertificate()) {
                    boolean safe = request.method().equals("GET") || request.method().equals("HEAD");
                    return new Decided(GatewayDecision.Respond.redirect(safe ? 301 : 308, hostNames.httpsOrigin(bare) + request.uri()));
                }
            }
            found = custom.flatMap(Custom::place);
            home = found.isEmpty() ? null : hostNames.customOrigin(bare, custom.get().domain().status().servesCertificate());
            asked = request.scheme() + "://" + bare + portOf(request.host());
        } else {
            Optional<HostNames.Candidates> candidates = hostNames.parse(request.host());
            found = candidates.isEmpty() ? Optional.empty() : lookup.place(candidates.get());
            home = found.isEmpty() ? null : hostNames.origin(hostNames.host(found.get().env().hostLabel(), found.get().door()));
            asked = found.isEmpty() ? null : request.scheme() + "://" + hostNames.host(found.get().env().hostLabel(), found.get().door())
                    + portOf(request.host());
        }
        if (found.isEmpty()) {
            return new Decided(pages.answer(browser, 404, "No environment here",
                    "No Cloudplane environment answers at this address. Check the link you followed.", null));
        }
        Place place = found.get();
        if (request.path().startsWith(RESERVED)) {
            if (lookup.memoryOnly) {
                throw NotInMemory.INSTANCE; // they write: always on the blocking executor
            }
            return new Decided(reserved(request, place, home));
        }
        EnvironmentRecord env = place.env();
        GatewayCallers.Credential credential = GatewayCallers.credential(request.headers());
        Optional<GatewayCallers.Person> person = credential == null ? Optional.empty()
                : lookup.person(credential, env.appId(), env.id(), place.door());
        boolean open = place.door() == GatewayDoor.APP && env.access() == EnvironmentAccess.PUBLIC;
        boolean bearerUsed = credential != null && credential.bearer() && person.isPresent();
        TeamMember member = person.isEmpty() ? null : lookup.members(env).byUser().get(person.get().userId());
        boolean allowed = open || (member != null && (place.door() == GatewayDoor.APP || member.developer()));
        if (!allowed) {
            return new Decided(refuse(request, asked + request.uri(), person));
        }
        if (env.status() == EnvironmentStatus.SLEEPING) {
            boolean owner = place.door() == GatewayDoor.STUDIO && member != null && "OWNER".equals(member.role());
            if (owner) {
                return lookup.mayWake ? new Wake(place, member.userId()) : new Decided(wakingUp(request));
            }
            return new Decided(pages.answer(browser, 503, "Asleep", "This sandbox is asleep: its owner wakes it by opening the Studio.", null));
        }
        return new Decided(switch (env.status()) {
            case STOPPED -> pages.answer(browser, 503, "Stopped", "Environment " + env.name()
                    + " was stopped by its owner. It answers again once they start it.", null);
            case RUNNING, UPDATING, DEPLOYING -> {
                if (env.port() != null) {
                    Map<String, String> headers = new LinkedHashMap<>(identity(person, member));
                    headers.put(GatewayKeys.HEADER, serverKeys.get(env.id(), id -> keys.of(id.toString())));
                    yield new GatewayDecision.Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), env.port()),
                            headers, place, bearerUsed);
                }
                // on Kubernetes the Ingress reaches the server's Service, and only asks here who gets in
                yield kubernetes ? new GatewayDecision.Forward(InetSocketAddress.createUnresolved(
                        hostNames.host(env.hostLabel(), place.door()), 80), identity(person, member), place, bearerUsed)
                        : serverDown(browser, env);
            }
            default -> serverDown(browser, env);
        });
    }

    private GatewayDecision.Respond serverDown(boolean browser, EnvironmentRecord env) {
        return pages.answer(browser, 502, "The server is not serving",
                "The server of environment " + env.name() + " is not serving requests (its status: " + env.status() + ").", null);
    }

    /** Anonymous: to the sign-in page (a script: 401). Signed in: 403, with a way to sign out and in as someone else. */
    private GatewayDecision refuse(GatewayRequest request, String asked, Optional<GatewayCallers.Person> person) {
        if (person.isEmpty()) {
            if (request.fromBrowser()) {
                return GatewayDecision.Respond.redirect(302, signInUrl(asked));
            }
            GatewayDecision.Respond respond = pages.problem(401, "Sign-in required",
                    "Sign in to reach this environment: send a bearer token, or sign in at " + signInUrl(asked));
            respond.headers().set("WWW-Authenticate", "Bearer");
            return respond;
        }
        return pages.answer(request.fromBrowser(), 403, "No access", "You are signed in as " + person.get().email()
                + ", who has no access to this environment.", new GatewayPages.Link(SIGN_OUT_PATH, "Sign out"));
    }

    private static String portOf(String hostHeader) {
        int colon = hostHeader.lastIndexOf(':');
        return colon < 0 || hostHeader.endsWith("]") ? "" : hostHeader.substring(colon);
    }

    /** The headers the environment's server gets: who is calling, and as what (none for an anonymous request). */
    private static Map<String, String> identity(Optional<GatewayCallers.Person> person, @Nullable TeamMember member) {
        if (person.isEmpty()) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Cloudplane-User-Id", person.get().userId().toString());
        headers.put("X-Cloudplane-User-Email", person.get().email());
        if (member != null) {
            if (member.profile() != null) {
                headers.put("X-Cloudplane-Profile", member.profile());
            }
            headers.put("X-Cloudplane-Role", member.role() == null ? "user" : member.role().toLowerCase(Locale.ROOT));
        }
        return headers;
    }

    // ---- the reserved paths

    /** An ACME HTTP-01 challenge under way for the domain: its key authorization as text, else 404. */
    private GatewayDecision challenge(GatewayRequest request, DomainRecord domain) {
        String token = request.path().substring(AcmeChallengeRecord.PATH_PREFIX.length());
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return pages.answer(false, 405, "Method not allowed", "Only GET is answered here.", null);
        }
        Optional<AcmeChallengeRecord> live = token.isEmpty() || token.contains("/") ? Optional.empty()
                : challenges.findLive(token, domain.hostname(), Instant.now());
        if (live.isEmpty()) {
            return pages.answer(false, 404, "Not found", "No certificate challenge is under way at this address.", null);
        }
        io.netty.handler.codec.http.HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
        headers.set("Content-Type", "text/plain; charset=us-ascii");
        headers.set("Cache-Control", "no-store");
        return new GatewayDecision.Respond(200, headers, live.get().keyAuthorization().getBytes(StandardCharsets.US_ASCII));
    }

    private GatewayDecision reserved(GatewayRequest request, Place place, String origin) {
        boolean browser = request.fromBrowser();
        String path = request.path();
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return pages.answer(browser, 405, "Method not allowed", "Only GET is answered here.", null);
        }
        boolean secure = request.scheme().equals("https");
        if (path.equals(SESSION_PATH)) {
            List<String> given = new QueryStringDecoder(request.uri()).parameters().get("ticket");
            String ticket = given == null || given.isEmpty() ? null : given.get(0);
            Optional<GatewayTicketRecord> taken = ticket == null ? Optional.empty()
                    : sessions.takeTicket(ticket, place.env().id(), place.door());
            if (taken.isEmpty()) {
                String home = origin + "/";
                return pages.answer(browser, 403, "This sign-in link does not work",
                        "It was used already, is older than a minute, or is not for this place.",
                        new GatewayPages.Link(signInUrl(home), "Sign in again"));
            }
            String token = sessions.openSession(taken.get().userId(), place.env().id(), place.door());
            GatewayDecision.Respond respond = GatewayDecision.Respond.redirect(302, taken.get().nextPath());
            respond.headers().set("Set-Cookie", cookie(token, settings.sessionLifetime().toSeconds(), secure));
            return respond;
        }
        if (path.equals(SIGN_OUT_PATH)) {
            String token = GatewayCallers.sessionCookie(request.headers());
            if (token != null) {
                sessions.closeSession(token);
                callers.forgetSession(token);
            }
            GatewayDecision.Respond respond = GatewayDecision.Respond.page(200, GatewayPages.html("Signed out",
                    "You are signed out of this environment.", new GatewayPages.Link("/", "Sign in again"), null, 0));
            respond.headers().set("Set-Cookie", cookie("", 0, secure));
            return respond;
        }
        return pages.answer(browser, 404, "Not found", "Nothing is served at this address.", null);
    }

    private static String cookie(String value, long maxAgeSeconds, boolean secure) {
        DefaultCookie cookie = new DefaultCookie(GatewayCallers.COOKIE, value);
        cookie.setHttpOnly(true);
        cookie.setSecure(secure);
        cookie.setPath("/");
        cookie.setMaxAge(maxAgeSeconds);
        cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    // ---- what is read, from memory or from the database

    /** Thrown by a memory-only lookup that must read the database: the decision is made again on the blocking executor. */
    private static final class NotInMemory extends RuntimeException {
        static final NotInMemory INSTANCE = new NotInMemory();

        private NotInMemory() {
            super(null, null, false, false);
        }
    }

    /**
     * The lookups of one attempt. Memory only: what is kept at the current generation, else
     * {@link NotInMemory}. Otherwise read (and kept, when {@code keep} and the generation is known).
     * {@code mayWake}: false once a wake was tried, so that a decision made again does not wake twice.
     */
    private final class Lookup {
        final boolean memoryOnly;
        final boolean keep;
        final boolean mayWake;
        /** Read before anything is read, so that what is read is never older than the generation it is kept with. */
        final long generation = changes.routeGeneration();

        Lookup(boolean memoryOnly, boolean keep) {
            this.memoryOnly = memoryOnly;
            this.keep = keep;
            this.mayWake = keep;
        }

        /** A custom domain by its bare host name, with its environment's app door once it is verified. */
        Optional<Custom> custom(String host) {
            Optional<DomainRecord> domain = keep ? domains.kept(host, generation) : null;
            if (domain == null) {
                if (memoryOnly) {
                    throw NotInMemory.INSTANCE;
                }
                domain = domains.read(host, generation);
            }
            if (domain.isEmpty()) {
                return Optional.empty();
            }
            boolean verified = domain.get().verifiedAt() != null && domain.get().status() != DomainStatus.PENDING_VERIFICATION;
            return Optional.of(new Custom(domain.get(), verified ? appDoor(domain.get().envId()) : Optional.empty()));
        }

        private Optional<Place> appDoor(UUID envId) {
            if (keep) {
                Kept<Optional<Place>> kept = appDoors.getIfPresent(envId);
                if (kept != null && kept.generation() == generation && generation != AppListChanges.UNKNOWN) {
                    return kept.value();
                }
            }
            if (memoryOnly) {
                throw NotInMemory.INSTANCE;
            }
            Optional<Place> place = environments.findById(envId).map(env -> placeOf(env, GatewayDoor.APP));
            if (keep && generation != AppListChanges.UNKNOWN) {
                appDoors.put(envId, new Kept<>(generation, place));
            }
            return place;
        }

        Optional<Place> place(HostNames.Candidates candidates) {
            String key = candidates.label();
            if (keep) {
                Kept<Optional<Place>> kept = places.getIfPresent(key);
                if (kept != null && kept.generation() == generation && generation != AppListChanges.UNKNOWN) {
                    return kept.value();
                }
            }
            if (memoryOnly) {
                throw NotInMemory.INSTANCE;
            }
            Optional<Place> place = read(candidates);
            if (keep && generation != AppListChanges.UNKNOWN) {
                places.put(key, new Kept<>(generation, place));
            }
            return place;
        }

        private Optional<Place> read(HostNames.Candidates candidates) {
            if (candidates.studioOf() != null) {
                Optional<EnvironmentRecord> studio = environments.findByHostLabel(candidates.studioOf());
                if (studio.isPresent() && studio.get().hasStudio()) {
                    return Optional.of(placeOf(studio.get(), GatewayDoor.STUDIO));
                }
            }
            return environments.findByHostLabel(candidates.label()).map(env -> placeOf(env, GatewayDoor.APP));
        }

        private Place placeOf(EnvironmentRecord env, GatewayDoor door) {
            boolean sandbox = apps.findById(env.appId()).map(a -> a.kind() == AppRecord.AppKind.SANDBOX).orElse(false);
            return new Place(env, door, sandbox);
        }

        Members members(EnvironmentRecord env) {
            Kept<Members> kept = members.getIfPresent(env.id());
            if (kept != null && kept.generation() == generation && generation != AppListChanges.UNKNOWN) {
                return kept.value();
            }
            if (memoryOnly) {
                throw NotInMemory.INSTANCE;
            }
            Map<UUID, TeamMember> byUser = new HashMap<>();
            for (TeamMember member : team.members(env.appId(), env.id())) {
                byUser.putIfAbsent(member.userId(), member); // the owner's or a developer's row comes first
            }
            Members read = new Members(env.appId(), byUser);
            if (generation != AppListChanges.UNKNOWN) {
                members.put(env.id(), new Kept<>(generation, read));
            }
            return read;
        }

        Optional<GatewayCallers.Person> person(GatewayCallers.Credential credential, UUID appId, UUID envId, GatewayDoor door) {
            Optional<GatewayCallers.Person> kept = callers.kept(credential, appId, envId, door);
            if (kept != null) {
                return kept;
            }
            if (memoryOnly) {
                throw NotInMemory.INSTANCE;
            }
            return callers.resolve(credential, appId, envId, door);
        }
    }
}
