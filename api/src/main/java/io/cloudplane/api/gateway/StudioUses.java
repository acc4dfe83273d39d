package io.cloudplane.api.gateway;

import io.cloudplane.api.sandbox.SandboxLifecycles;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.sandbox.SandboxSettings;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;

/**
 * {@link StudioUse}: a Studio request recorded at most once per environment per interval, the
 * shorter of {@code cloudplane.gateway.studio-access-interval} and a tenth of the sandbox idle
 * period (so a demo with a one-minute idle period still sees its Studio use). The throttle is in
 * memory, per process: with several gateways an environment is recorded at most once per interval
 * by each, which the idle clock (days) does not notice. The write and the lifecycle's signal, what
 * {@code POST …/studio-sessions} does, run on the blocking executor; a failure is logged, and the
 * next request after the interval tries again.
 */
@Singleton
public class StudioUses implements StudioUse {
    private static final Logger LOG = LoggerFactory.getLogger(StudioUses.class);
    private final EnvironmentRepository environments;
    private final SandboxLifecycles lifecycles;
    private final ExecutorService blocking;
    private final Clock clock;
    private final Duration interval;
    /** When each environment's use was last recorded (or is being), in this process. */
    private final ConcurrentMap<UUID, Instant> recorded = new ConcurrentHashMap<>();

    @Inject
    public StudioUses(EnvironmentRepository environments, SandboxLifecycles lifecycles, GatewaySettings gateway,
                      SandboxSettings sandbox, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this(environments, lifecycles, blocking, Clock.systemUTC(), interval(gateway, sandbox));
    }

    StudioUses(EnvironmentRepository environments, SandboxLifecycles lifecycles, ExecutorService blocking, Clock clock,
               Duration interval) {
        this.environments = environments;
        this.lifecycles = lifecycles;
        this.blocking = blocking;
        this.clock = clock;
        this.interval = interval;
    }

    static Duration interval(GatewaySettings gateway, SandboxSettings sandbox) {
        Duration tenth = sandbox.idlePeriod().dividedBy(10);
        Duration chosen = tenth.compareTo(gateway.studioAccessInterval()) < 0 ? tenth : gateway.studioAccessInterval();
        return chosen.isZero() ? Duration.ofMillis(1) : chosen;
    }

    public Duration interval() {
        return interval;
    }

    @Override
    public void used(UUID appId, UUID envId, boolean sandbox) {
        Instant now = clock.instant();
        Instant[] due = {null};
        recorded.compute(envId, (id, last) -> {
            if (last == null || !now.isBefore(last.plus(interval))) {
                due[0] = now;
                return now;
            }
            return last;
        });
        if (due[0] == null) {
            return;
        }
        forgetIdle(now);
        try {
            blocking.execute(() -> record(appId, envId, sandbox, now));
        } catch (RuntimeException rejected) {
            LOG.warn("Studio use of environment {} not recorded: {}", envId, rejected.toString());
            recorded.remove(envId, now);
        }
    }

    private void record(UUID appId, UUID envId, boolean sandbox, Instant at) {
        try {
            environments.recordStudioAccess(envId, at);
            if (sandbox) {
                lifecycles.studioAccessed(appId);
            }
        } catch (RuntimeException e) {
            // Not forgotten: the next request after the interval tries again, rather than every request now.
            LOG.warn("Studio use of environment {} not recorded (the next request after {} tries again): {}",
                    envId, interval, e.toString());
        }
    }

    /**
     * Forgets environments not used for ten intervals, so the map holds only the environments in use:
     * at most once per ten intervals, on a recording (no scheduled job, which a training start must not
     * have).
     */
    void forgetIdle(Instant now) {
        Instant last = lastForgotten;
        if (last != null && now.isBefore(last.plus(interval.multipliedBy(10)))) {
            return;
        }
        lastForgotten = now;
        Instant cutoff = now.minus(interval.multipliedBy(10));
        recorded.values().removeIf(at -> at.isBefore(cutoff));
    }

    /** How many environments are remembered (for tests). */
    int remembered() {
        return recorded.size();
    }

    private volatile Instant lastForgotten;
}
