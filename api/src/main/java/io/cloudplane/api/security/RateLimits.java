package io.cloudplane.api.security;

import io.cloudplane.api.problem.ApiException;
import io.github.bucket4j.TimeMeter;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Sign-ups and logins limited per client address and per account (email), as
 * {@link RateLimitSettings} says: past a limit, a 429 problem with {@code Retry-After}. Counted in
 * memory, per process: right for the all-in-one; API processes behind a load balancer each count
 * their own share. Every attempt counts, refused or not, before the password is even checked (the
 * bcrypt work is what a flood would cost). The lockout after failed logins in a row
 * ({@code cloudplane.identity.*}) is apart from this.
 */
@Singleton
public class RateLimits {
    private final ClientAddresses addresses;
    private final KeyedLimit loginsPerAddress;
    private final KeyedLimit loginsPerAccount;
    private final KeyedLimit signUpsPerAddress;
    private final KeyedLimit signUpsPerEmail;

    @Inject
    public RateLimits(RateLimitSettings settings, ClientAddresses addresses) {
        this(settings, addresses, TimeMeter.SYSTEM_NANOTIME);
    }

    RateLimits(RateLimitSettings settings, ClientAddresses addresses, TimeMeter clock) {
        this.addresses = addresses;
        this.loginsPerAddress = new KeyedLimit("logins from this address", settings.loginsPerAddress(), settings.loginWindow(), clock);
        this.loginsPerAccount = new KeyedLimit("logins to this account", settings.loginsPerAccount(), settings.loginWindow(), clock);
        this.signUpsPerAddress = new KeyedLimit("sign-ups from this address", settings.signUpsPerAddress(), settings.signUpWindow(), clock);
        this.signUpsPerEmail = new KeyedLimit("sign-ups with this email", settings.signUpsPerEmail(), settings.signUpWindow(), clock);
    }

    /** Counts a login attempt; throws a 429 when the address or the account has had its share. */
    public void login(HttpRequest<?> request, String email) {
        admit(loginsPerAddress, addresses.of(request).getHostAddress());
        admit(loginsPerAccount, normalized(email));
    }

    /** Counts a sign-up attempt; throws a 429 when the address or the email has had its share. */
    public void signUp(HttpRequest<?> request, String email) {
        admit(signUpsPerAddress, addresses.of(request).getHostAddress());
        admit(signUpsPerEmail, normalized(email));
    }

    private static void admit(KeyedLimit limit, String key) {
        Optional<Duration> wait = limit.tryAcquire(key);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000); // rounded up: a retry then is let in
            throw ApiException.tooManyRequests("Too many " + limit.name() + "; try again in " + seconds + " s", Duration.ofSeconds(seconds));
        }
    }

    private static String normalized(String email) {
        return email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
    }

    /** Drops the buckets that are full again; {@link RateLimitsPurge} calls it every minute. */
    void forgetIdle() {
        loginsPerAddress.forgetIdle();
        loginsPerAccount.forgetIdle();
        signUpsPerAddress.forgetIdle();
        signUpsPerEmail.forgetIdle();
    }
}
