package io.cloudplane.api.security;

import io.cloudplane.api.problem.Problem;
import io.cloudplane.infra.operation.OperationRepository;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.SecurityFilter;
import org.reactivestreams.Publisher;

import java.util.Optional;

/**
 * Holds every request made with an API token to the token's scope ({@link TokenScope}), right
 * after Micronaut Security has authenticated it and before any controller runs: refused requests
 * reach no controller, so they change nothing. Runs for every path, so new endpoints are covered.
 */
@Filter(Filter.MATCH_ALL_PATTERN)
public class TokenScopeFilter implements HttpServerFilter {
    private final OperationRepository operations;

    public TokenScopeFilter(OperationRepository operations) {
        this.operations = operations;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.after();
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        Optional<TokenScope> scope = request.getAttribute(SecurityFilter.AUTHENTICATION, Authentication.class)
                .flatMap(TokenScope::of);
        if (scope.isEmpty()) {
            return chain.proceed(request);
        }
        TokenScope.Decision decision = scope.get().decide(request.getMethod(), request.getPath());
        if (decision instanceof TokenScope.Decision.PassIfOperationOf op) {
            boolean foreign = operations.findById(op.operationId()).map(o -> !o.appId().equals(op.appId())).orElse(false);
            decision = foreign ? new TokenScope.Decision.NotFound("Operation " + op.operationId()) : new TokenScope.Decision.Pass();
        }
        if (decision instanceof TokenScope.Decision.Forbidden forbidden) {
            return refuse(request, HttpStatus.FORBIDDEN, forbidden.detail());
        }
        if (decision instanceof TokenScope.Decision.NotFound notFound) {
            return refuse(request, HttpStatus.NOT_FOUND, notFound.what() + " was not found");
        }
        return chain.proceed(request);
    }

    private static Publisher<MutableHttpResponse<?>> refuse(HttpRequest<?> request, HttpStatus status, String detail) {
        Problem problem = new Problem("about:blank", status.getReason(), status.getCode(), detail, request.getPath(), null, null);
        return Publishers.just(HttpResponse.status(status).body(problem).contentType(Problem.MEDIA_TYPE));
    }
}
