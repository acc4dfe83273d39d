package io.cloudplane.api.console;

import io.cloudplane.api.metrics.MetricsController;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.metrics.MetricsStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;

/**
 * The app panel's Metrics tab: CPU, memory, disk and network over a range (the last hour, 24 hours or 7 days,
 * or from–to in UTC), drawn with uPlot by {@code metrics.js}, which reads the series from {@code …/metrics/series}
 * (the API's {@link MetricsController}, at a step that keeps each chart near 240 points). Each chart's caption
 * says its latest reading in words: the chart's text alternative.
 */
@Controller("/apps/{appId}/environments/{envId}/metrics")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
public class ConsoleMetricsController {
    /** About this many points a chart, whatever the range. */
    static final int POINTS = 240;
    /** How often a preset range (which moves with the clock) is read again. */
    static final int REFRESH_SECONDS = 15;
    private static final DateTimeFormatter LOCAL_MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("d MMM HH:mm:ss 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private final ConsoleSupport support;
    private final MetricsController metricsApi;

    public ConsoleMetricsController(ConsoleSupport support, MetricsController metricsApi) {
        this.support = support;
        this.metricsApi = metricsApi;
    }

    /** The range asked for: a preset, or from–to. */
    record Range(@Nullable OpsPages.Preset preset, Instant from, Instant to) {
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> show(UUID appId, UUID envId, @Nullable @QueryValue String range, @Nullable @QueryValue String from,
                                @Nullable @QueryValue String to, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        ConsolePages.Frame frame = support.frame(http, user.get(), appId, envId, ConsolePages.Concern.METRICS);
        Instant now = Instant.now();
        Range r;
        String error = null;
        HttpStatus status = HttpStatus.OK;
        try {
            r = range(range, from, to, now);
        } catch (ApiException e) {
            error = ConsoleSupport.message(e);
            status = e.status();
            r = new Range(OpsPages.Preset.HOUR, now.minus(OpsPages.Preset.HOUR.span()), now);
        }
        MetricsController.Series series = null;
        if (error == null) {
            try {
                series = series(appId, envId, r, user.get(), now);
            } catch (ApiException e) {
                if (e.status() == HttpStatus.NOT_FOUND || e.status() == HttpStatus.FORBIDDEN) {
                    throw e;
                }
                error = ConsoleSupport.message(e);
                status = e.status();
            }
        }
        List<MetricsStore.Point> points = series == null ? List.of() : series.points();
        String base = frame.href(ConsolePages.Concern.METRICS);
        String seriesUrl = base + "/series?" + (r.preset() != null ? "range=" + r.preset().key()
                : "from=" + r.from() + "&to=" + r.to());
        return page(status, "metrics", new OpsPages.Metrics(frame, error == null ? r.preset() : null,
                LOCAL_MINUTE.format(r.from()), LOCAL_MINUTE.format(r.to()), error == null ? seriesUrl : "",
                error == null && r.preset() != null ? REFRESH_SECONDS : 0, charts(points), error));
    }

    /** The series metrics.js draws: the API's answer, as JSON; a refused range is a problem with the API's status. */
    @Get(value = "/series", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> series(UUID appId, UUID envId, @Nullable @QueryValue String range, @Nullable @QueryValue String from,
                                  @Nullable @QueryValue String to, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        try {
            support.frame(http, user.get(), appId, envId, ConsolePages.Concern.METRICS);
            Instant now = Instant.now();
            Range r = rangeOfInstants(range, from, to, now);
            return HttpResponse.ok(series(appId, envId, r, user.get(), now)).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header("Cache-Control", "no-store");
        } catch (ApiException e) {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("status", e.status().getCode());
            problem.put("detail", ConsoleSupport.message(e));
            return HttpResponse.status(e.status()).body(problem).contentType(MediaType.APPLICATION_JSON_TYPE);
        }
    }

    private MetricsController.Series series(UUID appId, UUID envId, Range r, UUID user, Instant now) {
        boolean raw = !r.from().isBefore(now.minus(MetricsStore.RAW_KEPT));
        long min = raw ? 30 : MetricsStore.ROLLUP_STEP.toSeconds();
        long span = Math.max(1, Duration.between(r.from(), r.to()).toSeconds());
        long step = Math.max(min, ((span / POINTS + 29) / 30) * 30);
        return metricsApi.metrics(appId, envId, r.from().toString(), r.to().toString(), step + "s", auth(user));
    }

    /** The page's range: a preset ({@code range}), or the form's from–to (minutes in UTC); the last hour by default. */
    static Range range(@Nullable String preset, @Nullable String from, @Nullable String to, Instant now) {
        if (ConsoleSupport.blank(from) && ConsoleSupport.blank(to)) {
            OpsPages.Preset p = preset == null ? OpsPages.Preset.HOUR : OpsPages.Preset.of(preset);
            if (p == null) {
                throw ApiException.badRequest("range", "one of 1h, 24h, 7d");
            }
            return new Range(p, now.minus(p.span()), now);
        }
        return new Range(null, minute("from", from), minute("to", to));
    }

    /** The JSON route's range: a preset, or the ISO instants the page wrote. */
    static Range rangeOfInstants(@Nullable String preset, @Nullable String from, @Nullable String to, Instant now) {
        if (ConsoleSupport.blank(from) && ConsoleSupport.blank(to)) {
            return range(preset, null, null, now);
        }
        return new Range(null, instant("from", from), instant("to", to));
    }

    private static Instant minute(String field, @Nullable String value) {
        if (ConsoleSupport.blank(value)) {
            throw ApiException.badRequest(field, "required for a range of your own: a date and time in UTC");
        }
        try {
            return LocalDateTime.parse(value.trim()).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, "a date and time such as 2026-11-23T10:00 (UTC)");
        }
    }

    private static Instant instant(String field, @Nullable String value) {
        if (ConsoleSupport.blank(value)) {
            throw ApiException.badRequest(field, "required");
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, "an ISO-8601 instant, such as 2026-11-23T10:00:00Z");
        }
    }

    /** The four charts, each captioned with its latest reading in words (its text alternative). */
    static List<OpsPages.Chart> charts(List<MetricsStore.Point> points) {
        List<OpsPages.Chart> charts = new ArrayList<>();
        charts.add(new OpsPages.Chart("cpu", "CPU (% of a core)", latest(points, MetricsStore.Point::cpuPercent,
                p -> String.format(Locale.ROOT, "%.1f %%", p.cpuPercent()))));
        charts.add(new OpsPages.Chart("memory", "Memory", latest(points, MetricsStore.Point::memoryBytes,
                p -> OpsPages.bytes(p.memoryBytes()))));
        charts.add(new OpsPages.Chart("disk", "Disk (database and resources)", latest(points, MetricsStore.Point::diskBytes,
                p -> OpsPages.bytes(p.diskBytes()))));
        charts.add(new OpsPages.Chart("network", "Network (in and out)", latest(points, p -> p.netInBytes() != null ? p.netInBytes() : p.netOutBytes(),
                p -> "in " + (p.netInBytes() == null ? "unknown" : OpsPages.bytes(p.netInBytes()))
                        + ", out " + (p.netOutBytes() == null ? "unknown" : OpsPages.bytes(p.netOutBytes())))));
        return charts;
    }

    private static String latest(List<MetricsStore.Point> points, Function<MetricsStore.Point, Object> value,
                                 Function<MetricsStore.Point, String> words) {
        for (int i = points.size() - 1; i >= 0; i--) {
            MetricsStore.Point p = points.get(i);
            if (value.apply(p) != null) {
                return "Latest, at " + CLOCK.format(p.at().truncatedTo(ChronoUnit.SECONDS)) + ": " + words.apply(p) + ".";
            }
        }
        return "No reading in this range.";
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
