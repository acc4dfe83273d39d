package io.cloudplane.worker;

import io.cloudplane.api.problem.Problem;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;

/**
 * A worker-only process ({@code CLOUDPLANE_API_ENABLED=false}) answers 404 to the API, its OpenAPI
 * document, Swagger UI and the console, before authentication, so that only the API processes take callers;
 * it keeps its HTTP server for {@code /health} and runs the worker, the recovery jobs and the
 * server supervision as any process does.
 */
@ServerFilter({"/api/**", "/openapi/**", "/swagger-ui/**",
        // the console (api.console), which is the API's too
        "/", "/sign-in", "/sign-up", "/sign-out", "/apps", "/apps/**", "/assets/**", "/invitations/**", "/operator", "/operator/**"})
@Requires(property = "cloudplane.api.enabled", value = "false")
public class WorkerOnlyFilter implements Ordered {

    @RequestFilter
    public HttpResponse<Problem> refuse(HttpRequest<?> request) {
        Problem problem = new Problem("about:blank", HttpStatus.NOT_FOUND.getReason(), HttpStatus.NOT_FOUND.getCode(),
                "This is a worker-only process (CLOUDPLANE_API_ENABLED=false): the API is served by the API processes",
                request.getPath(), null, null);
        return HttpResponse.<Problem>status(HttpStatus.NOT_FOUND).body(problem).contentType(Problem.MEDIA_TYPE);
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.FIRST.order();
    }
}
