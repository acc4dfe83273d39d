package io.cloudplane.api.monitoring;

import io.cloudplane.infra.monitoring.MonitoringSettings;
import io.cloudplane.infra.monitoring.StateGauges;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: every meter of this process in Prometheus's text format (0.0.4), for a scraper that sends
 * {@code Authorization: Bearer <cloudplane.monitoring.token>}. Without a token configured the route does not exist
 * (404, as for any unknown path); a missing or wrong token is 401. It is served on the application's own port, in
 * every role (API-only, worker-only, all-in-one), so that each process is scraped where it already listens; it is
 * not an API operation, hence {@code @Hidden} (out of the OpenAPI document and the authorization matrix).
 */
@Controller("/metrics")
@Secured(SecurityRule.IS_ANONYMOUS) // the scraper's token is checked here, not by the API's authentication
@Hidden
public class PrometheusController {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final PrometheusMeterRegistry registry;
    private final StateGauges gauges;
    private final byte[] token;

    public PrometheusController(PrometheusMeterRegistry registry, StateGauges gauges, MonitoringSettings settings) {
        this.registry = registry;
        this.gauges = gauges;
        this.token = settings.enabled() ? ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8) : null;
    }

    @Get
    public HttpResponse<String> scrape(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        if (token == null) {
            return HttpResponse.notFound();
        }
        if (authorization == null || !MessageDigest.isEqual(token, authorization.getBytes(StandardCharsets.UTF_8))) {
            return HttpResponse.<String>status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"metrics\"");
        }
        gauges.refresh();
        return HttpResponse.ok(registry.scrape()).header(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
    }
}
