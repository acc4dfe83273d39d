package io.cloudplane.api.sftp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * SFTP for Prometheus: {@code cloudplane_sftp_sessions} (this process's open sessions) and
 * {@code cloudplane_sftp_logins_total{outcome}}: SUCCEEDED (a session opened), TOO_MANY_SESSIONS (at the per-person
 * cap), REFUSED (past the failed-login limits, or the person may not open that environment) and WRONG_PASSWORD.
 * SUCCEEDED and TOO_MANY_SESSIONS count connections; the refusals count authentication attempts (a client may try
 * keyboard-interactive and then password in one connection, MINA's does). A public key the person has not registered
 * is not counted: clients offer their keys in turn.
 */
@Singleton
public class SftpMeters {
    public static final String SESSIONS = "cloudplane.sftp.sessions";
    public static final String LOGINS = "cloudplane.sftp.logins";

    enum Outcome { SUCCEEDED, TOO_MANY_SESSIONS, REFUSED, WRONG_PASSWORD }

    private final MeterRegistry registry;
    private final Map<Outcome, Counter> logins = new java.util.EnumMap<>(Outcome.class);

    public SftpMeters(MeterRegistry registry) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            logins.put(outcome, Counter.builder(LOGINS).description("SFTP logins, by outcome").tag("outcome", outcome.name())
                    .register(registry));
        }
    }

    void login(Outcome outcome) {
        logins.get(outcome).increment();
    }

    /** The gauge of open sessions, read from the sessions' own map. */
    void sessions(Map<?, ?> open) {
        Gauge.builder(SESSIONS, open, Map::size).description("Open SFTP sessions of this process").register(registry);
    }
}
