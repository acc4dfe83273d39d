package io.cloudplane.api.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code cloudplane_gateway_requests_total{outcome}}: every decision of the access gateway (its own listener and
 * Kubernetes's forward authentication), by outcome: FORWARDED (to the environment's server), ANSWERED (a 2xx the
 * gateway wrote itself: a waiting page, the session's end point), REDIRECTED (a 3xx: to
 * sign in, to a ticket), REFUSED (a 4xx), UNAVAILABLE (a 5xx the gateway answered itself: asleep, starting, failed)
 * and BACKEND_FAILED (forwarded, but the server did not answer: the 502 page).
 */
@Singleton
public class GatewayMeters {
    public static final String REQUESTS = "cloudplane.gateway.requests";

    enum Outcome { FORWARDED, ANSWERED, REDIRECTED, REFUSED, UNAVAILABLE, BACKEND_FAILED }

    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);

    public GatewayMeters(MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            requests.put(outcome, Counter.builder(REQUESTS).description("Access gateway requests, by outcome")
                    .tag("outcome", outcome.name()).register(registry));
        }
    }

    /** Counts the decision once it is made. */
    CompletionStage<GatewayDecision> counted(CompletionStage<GatewayDecision> decision) {
        return decision.whenComplete((d, failure) -> {
            if (d != null) {
                requests.get(outcome(d)).increment();
            }
        });
    }

    void backendFailed() {
        requests.get(Outcome.BACKEND_FAILED).increment();
    }

    static Outcome outcome(GatewayDecision decision) {
        if (decision instanceof GatewayDecision.Respond respond) {
            int status = respond.status();
            return status >= 500 ? Outcome.UNAVAILABLE : status >= 400 ? Outcome.REFUSED
                    : status >= 300 ? Outcome.REDIRECTED : Outcome.ANSWERED;
        }
        return Outcome.FORWARDED;
    }
}
