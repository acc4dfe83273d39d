package io.cloudplane.api.common;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import io.micronaut.http.filter.ServerFilterPhase;
import org.reactivestreams.Publisher;
import org.slf4j.MDC;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Every log line written while a request is handled carries its {@code requestId} in SLF4J's MDC
 * (the caller's {@code X-Request-Id} when it is a plain token, else a new UUID, answered in the same
 * header), and, once the request has started an operation, that operation's {@code operationId} and
 * {@code workflowId} ({@link #operationStarted}). Micronaut's propagated context carries the MDC to
 * whichever thread runs the controller, and drops it when the request is done.
 */
@Filter(Filter.MATCH_ALL_PATTERN)
public class RequestLogContext implements HttpServerFilter {
    public static final String HEADER = "X-Request-Id";
    public static final String REQUEST_ID = "requestId";
    public static final String OPERATION_ID = "operationId";
    public static final String WORKFLOW_ID = "workflowId";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @Override
    public int getOrder() {
        return ServerFilterPhase.FIRST.order();
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        String given = request.getHeaders().get(HEADER);
        String requestId = given != null && PLAIN.matcher(given).matches() ? given : UUID.randomUUID().toString();
        try {
            MDC.put(REQUEST_ID, requestId);
            try (PropagatedContext.Scope ignored = PropagatedContext.getOrEmpty().plus(new MdcPropagationContext()).propagate()) {
                return Publishers.map(chain.proceed(request), response -> response.header(HEADER, requestId));
            }
        } finally {
            MDC.remove(REQUEST_ID);
        }
    }

    /**
     * The rest of the request's log lines name the operation it started. Outside a request (the
     * reconciler) it names nothing: there is no request context to drop it afterwards.
     */
    public static void operationStarted(String operationId, String workflowId) {
        if (MDC.get(REQUEST_ID) != null) {
            MDC.put(OPERATION_ID, operationId);
            MDC.put(WORKFLOW_ID, workflowId);
        }
    }
}
