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

    private HttpResponse<StreamedFile> file(String path, MediaType type) {
        return resources.getResource("classpath:" + path)
                .map(url -> HttpResponse.ok(new StreamedFile(url)).contentType(type).header("Cache-Control", "public, max-age=3600"))
                .orElseThrow(() -> new IllegalStateException(path + " is missing from the class path"));
    }
}
