package io.cloudplane.api.console;

import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

/**
 * The console's static files, from the class path: htmx from its webjar (Maven Central, no Node.js)
 * and the console's style sheet. Not part of the API, so not in the OpenAPI document.
 */
@Controller("/assets")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
public class ConsoleAssets {
    /** The webjar's version, as api/pom.xml's {@code htmx.version}. */
    static final String HTMX_VERSION = "2.0.4";
    static final String HTMX = "META-INF/resources/webjars/htmx.org/" + HTMX_VERSION + "/dist/htmx.min.js";
    static final String STYLE = "console/console.css";
    /** The webjar's version, as api/pom.xml's {@code uplot.version}: the Metrics tab's charts. */
    static final String UPLOT_VERSION = "1.6.30";
    static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/uPlot.iife.min.js";
    static final String UPLOT_STYLE = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/uPlot.min.css";
    static final String METRICS = "console/metrics.js";
    private final ResourceResolver resources;

    public ConsoleAssets(ResourceResolver resources) {
        this.resources = resources;
    }

    @Get("/htmx.min.js")
    public HttpResponse<StreamedFile> htmx() {
        return file(HTMX, new MediaType("text/javascript"));
    }

    @Get("/console.css")
    public HttpResponse<StreamedFile> style() {
        return file(STYLE, new MediaType("text/css"));
    }

    @Get("/uplot.min.js")
    public HttpResponse<StreamedFile> uplot() {
        return file(UPLOT, new MediaType("text/javascript"));
    }

    @Get("/uplot.min.css")
    public HttpResponse<StreamedFile> uplotStyle() {
        return file(UPLOT_STYLE, new MediaType("text/css"));
    }

    @Get("/metrics.js")
    public HttpResponse<StreamedFile> metrics() {
        return file(METRICS, new MediaType("text/javascript"));
    }

    private HttpResponse<StreamedFile> file(String path, MediaType type) {
        return resources.getResource("classpath:" + path)
                .map(url -> HttpResponse.ok(new StreamedFile(url)).contentType(type).header("Cache-Control", "public, max-age=3600"))
                .orElseThrow(() -> new IllegalStateException(path + " is missing from the class path"));
    }
}
