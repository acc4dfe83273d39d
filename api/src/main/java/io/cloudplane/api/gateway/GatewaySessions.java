package io.cloudplane.api.gateway;

import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.infra.gateway.GatewaySessionRecord;
import io.cloudplane.infra.gateway.GatewaySessionRepository;
import io.cloudplane.infra.gateway.GatewayTicketRecord;
import io.cloudplane.infra.gateway.GatewayTicketRepository;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The gateway's sign-ins: one-time tickets (the Studio link of {@code POST …/studio-sessions}, the
 * way back from the sign-in page) and the browser sessions a ticket opens at one door of one
 * environment. Tokens are 32 random bytes, base64url; only their SHA-256 is stored.
 */
@Singleton
public class GatewaySessions {
    public static final Duration TICKET_LIFETIME = Duration.ofSeconds(60);
    private final SecureRandom random = new SecureRandom();
    private final GatewayTicketRepository tickets;
    private final GatewaySessionRepository sessions;
    private final GatewaySettings settings;

    public GatewaySessions(GatewayTicketRepository tickets, GatewaySessionRepository sessions, GatewaySettings settings) {
        this.tickets = tickets;
        this.sessions = sessions;
        this.settings = settings;
    }

    /** A ticket that signs {@code userId} in at this door of this environment once, within a minute, then sends them to {@code nextPath}. */
    public String issueTicket(UUID userId, UUID envId, GatewayDoor door, String nextPath) {
        String token = newToken();
        tickets.save(new GatewayTicketRecord(Sha256.hex(token), userId, envId, door, safePath(nextPath), now().plus(TICKET_LIFETIME)));
        return token;
    }

    /**
     * Uses the ticket: present only for a ticket made for this environment and door, unexpired and
     * not used before (a ticket shown at another environment is left as it is).
     */
    public Optional<GatewayTicketRecord> takeTicket(String token, UUID envId, GatewayDoor door) {
        if (!wellFormed(token)) {
            return Optional.empty();
        }
        String hash = Sha256.hex(token);
        Instant now = now();
        return tickets.findById(hash)
                .filter(t -> t.envId().equals(envId) && t.door() == door && !t.expiresAt().isBefore(now))
                .filter(t -> tickets.use(hash, now) == 1);
    }

    /** A new session's token, for the cookie. */
    public String openSession(UUID userId, UUID envId, GatewayDoor door) {
        String token = newToken();
        Instant now = now();
        sessions.save(new GatewaySessionRecord(Sha256.hex(token), userId, envId, door, now, now.plus(settings.sessionLifetime())));
        return token;
    }

    /** The unexpired session of this token. */
    public Optional<GatewaySessionRecord> session(String token) {
        if (!wellFormed(token)) {
            return Optional.empty();
        }
        Instant now = now();
        return sessions.findById(Sha256.hex(token)).filter(s -> s.expiresAt().isAfter(now));
    }

    public void closeSession(String token) {
        if (wellFormed(token)) {
            sessions.deleteById(Sha256.hex(token));
        }
    }

    /** Forgets expired sessions and tickets; returns how many. */
    public int purgeExpired(Instant now) {
        return sessions.deleteExpired(now) + tickets.deleteExpired(now);
    }

    /** A path on the same host: a "//host" or an absolute URL would send the browser elsewhere. */
    static String safePath(String path) {
        if (path == null || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\") || path.length() > 2000) {
            return "/";
        }
        return path;
    }

    private static boolean wellFormed(String token) {
        return token != null && token.length() == 43 && token.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_');
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
