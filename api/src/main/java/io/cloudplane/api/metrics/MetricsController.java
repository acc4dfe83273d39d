package io.cloudplane.api.metrics;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.metrics.MetricsStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET …/metrics?from&to&step}: the environment's CPU (percent of a core), memory, disk
 * (database plus resources) and network, averaged per step. {@code from}/{@code to} are ISO-8601
 * instants (default: the last hour), {@code step} a duration such as {@code 60s} or {@code 5m}
 * (default 60 s; at least 30 s, and at least 5 minutes for data older than 24 hours).
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/metrics")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class MetricsController {
    private final AccessService access;
    private final MetricsStore store;

    public MetricsController(AccessService access, MetricsStore store) {
        this.access = access;
        this.store = store;
    }

    @Serdeable
    public record Series(Instant from, Instant to, long stepSeconds, List<MetricsStore.Point> points) {
    }

    /** CPU, memory, disk and network of the environment's server from `from` to `to`, one point a `step`. */
    @Get
    @Problems.Forbidden
    @Operation(operationId = "getMetrics")
    public Series metrics(UUID appId, UUID envId, @Nullable @QueryValue String from, @Nullable @QueryValue String to,
                          @Nullable @QueryValue String step, Authentication auth) {
        Access a = access.requireApp(Caller.id(auth), appId);
        access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers read its metrics");
        Instant now = Instant.now();
        Instant end = to == null ? now : instant("to", to);
        Instant start = from == null ? end.minus(Duration.ofHours(1)) : instant("from", from);
        if (end.isAfter(now.plus(Duration.ofHours(1)))) {
            throw ApiException.badRequest("to", "must not be more than an hour in the future");
        }
        if (!start.isBefore(end)) {
            throw ApiException.badRequest("from", "must be before to");
        }
        if (start.isBefore(now.minus(MetricsStore.ROLLUP_KEPT))) {
            throw ApiException.badRequest("from", "metrics are kept 30 days");
        }
        Duration every = step == null ? Duration.ofSeconds(60) : duration(step);
        boolean raw = !start.isBefore(now.minus(MetricsStore.RAW_KEPT));
        Duration min = raw ? Duration.ofSeconds(30) : MetricsStore.ROLLUP_STEP;
        if (every.compareTo(min) < 0) {
            throw ApiException.badRequest("step", "at least " + min.toSeconds() + "s for this range");
        }
        if (Duration.between(start, end).dividedBy(every) > 10_000) {
            throw ApiException.badRequest("step", "too small for this range: at most 10000 points");
        }
        return new Series(start, end, every.toSeconds(), store.series(envId, start, end, every, now));
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, "an ISO-8601 instant, such as 2026-11-23T10:00:00Z");
        }
    }

    static Duration duration(String value) {
        var m = java.util.regex.Pattern.compile("(\\d{1,6})([smhd])").matcher(value.strip());
        if (!m.matches()) {
            throw ApiException.badRequest("step", "a duration such as 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
