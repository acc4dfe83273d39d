package io.cloudplane.api.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cloudplane.api.security.Caller;
import io.cloudplane.api.security.TokenScope;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.infra.gateway.GatewaySessionRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Who is calling through the gateway: the person of the request's bearer token, validated by the
 * very validators the API uses (session tokens, API tokens, Cognito access tokens), or of its
 * session cookie. Who a credential names is kept for a few seconds, so that a browser's requests do
 * not each cost a lookup; what that person may do is never kept here ({@link GatewayAccess} decides
 * it at every request).
 */
@Singleton
public class GatewayCallers {
    public static final String COOKIE = "cloudplane_session";
    static final Duration KEPT_FOR = Duration.ofSeconds(5);

    /** A signed-in person. */
    public record Person(UUID userId, String email) {
    }

    /** A credential the request carries. */
    record Credential(boolean bearer, String token) {
        String key() {
            return (bearer ? "b:" : "c:") + Sha256.hex(token);
        }
    }

    /**
     * Who a credential names: a session also says where it holds (its environment and door); an
     * API token limited to an app names its person only there. Empty person: the credential names nobody.
     */
    private record Known(@Nullable Person person, @Nullable UUID envId, @Nullable GatewayDoor door, @Nullable UUID onlyApp) {
        Optional<Person> at(UUID appId, UUID envId, GatewayDoor door) {
            if (person == null || (this.envId != null && (!this.envId.equals(envId) || this.door != door))
                    || (onlyApp != null && !onlyApp.equals(appId))) {
                return Optional.empty();
            }
            return Optional.of(person);
        }
    }

    private static final Known NOBODY = new Known(null, null, null, null);

    private final Collection<TokenValidator<HttpRequest<?>>> validators;
    private final GatewaySessions sessions;
    private final UserRepository users;
    private final Cache<String, Known> kept = Caffeine.newBuilder().expireAfterWrite(KEPT_FOR).maximumSize(100_000).build();

    public GatewayCallers(Collection<TokenValidator<HttpRequest<?>>> validators, GatewaySessions sessions, UserRepository users) {
        this.validators = validators;
        this.sessions = sessions;
        this.users = users;
    }

    /** The request's bearer token, else its session cookie; null when it has neither. */
    static @Nullable Credential credential(HttpHeaders headers) {
        String authorization = headers.get("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? null : new Credential(true, token);
        }
        String cookie = sessionCookie(headers);
        return cookie == null ? null : new Credential(false, cookie);
    }

    static @Nullable String sessionCookie(HttpHeaders headers) {
        for (String header : headers.getAll("Cookie")) {
            for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (c.name().equals(COOKIE) && !c.value().isEmpty()) {
                    return c.value();
                }
            }
        }
        return null;
    }

    /** From memory: who the credential names at this door (empty: nobody), or null when it must be looked up. */
    @Nullable
    Optional<Person> kept(Credential credential, UUID appId, UUID envId, GatewayDoor door) {
        Known known = kept.getIfPresent(credential.key());
        return known == null ? null : known.at(appId, envId, door);
    }

    /** Looks the credential up (blocking), and keeps the answer for a few seconds. */
    Optional<Person> resolve(Credential credential, UUID appId, UUID envId, GatewayDoor door) {
        Known known = credential.bearer() ? bearer(credential.token()) : session(credential.token());
        kept.put(credential.key(), known);
        return known.at(appId, envId, door);
    }

    /** A session was closed here: forget it at once rather than after a few seconds. */
    void forgetSession(String token) {
        kept.invalidate(new Credential(false, token).key());
    }

    private Known session(String token) {
        Optional<GatewaySessionRecord> session = sessions.session(token);
        if (session.isEmpty()) {
            return NOBODY;
        }
        GatewaySessionRecord s = session.get();
        return users.findById(s.userId()).map(u -> new Known(new Person(u.id(), u.email()), s.envId(), s.door(), null)).orElse(NOBODY);
    }

    private Known bearer(String token) {
        for (TokenValidator<HttpRequest<?>> validator : validators) {
            // the validators read only the token (the API's are blocking lookups themselves)
            Authentication authentication = first(validator.validateToken(token, null));
            if (authentication != null) {
                UUID userId = Caller.id(authentication);
                UUID onlyApp = TokenScope.of(authentication).map(TokenScope::appId).orElse(null);
                return users.findById(userId).map(u -> new Known(new Person(u.id(), u.email()), null, null, onlyApp)).orElse(NOBODY);
            }
        }
        return NOBODY;
    }

    /** The publisher's first item, or null when it completes empty or fails (a token it does not accept). */
    private static @Nullable Authentication first(Publisher<Authentication> publisher) {
        CompletableFuture<Authentication> first = new CompletableFuture<>();
        publisher.subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription subscription) {
                subscription.request(1);
            }

            @Override
            public void onNext(Authentication authentication) {
                first.complete(authentication);
            }

            @Override
            public void onError(Throwable error) {
                first.complete(null);
            }

            @Override
            public void onComplete() {
                first.complete(null);
            }
        });
        try {
            return first.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }
}
