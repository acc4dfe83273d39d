package io.cloudplane.api.problem;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.exceptions.response.HateoasErrorResponseProcessor;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.serde.exceptions.InvalidPropertyFormatException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every error leaves as application/problem+json: Micronaut's own (bad JSON, conversion, missing
 * routes, oversized bodies) through the replaced {@link ErrorResponseProcessor}, and Cloudplane's
 * and the validator's through the handlers below.
 */
public final class ProblemHandlers {
    private ProblemHandlers() {
    }

    static MutableHttpResponse<Problem> respond(HttpRequest<?> request, HttpStatus status, String detail,
                                                List<Problem.FieldError> errors, String operationId) {
        Problem problem = new Problem("about:blank", status.getReason(), status.getCode(), detail,
                request == null ? null : request.getPath(), errors == null || errors.isEmpty() ? null : errors, operationId);
        return HttpResponse.<Problem>status(status).body(problem).contentType(Problem.MEDIA_TYPE);
    }

    @Singleton
    @Replaces(HateoasErrorResponseProcessor.class)
    public static class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {
        @Override
        public @NonNull MutableHttpResponse<Problem> processResponse(@NonNull ErrorContext context, @NonNull MutableHttpResponse<?> base) {
            HttpStatus status = base.getStatus();
            List<Problem.FieldError> errors = new ArrayList<>();
            Problem.FieldError mismatch = context.getRootCause().map(ProblemHandlers::typeMismatch).orElse(null);
            if (mismatch != null) {
                errors.add(mismatch);
            } else {
                for (Error error : context.getErrors()) {
                    errors.add(clean(error.getPath().orElse(null), error.getMessage()));
                }
            }
            String detail = errors.isEmpty() ? status.getReason()
                    : errors.get(0).field() == null ? errors.get(0).message() : errors.get(0).field() + ": " + errors.get(0).message();
            if (status.getCode() >= 500) {
                // Never leak internals; the log has the cause.
                detail = "An unexpected error occurred";
                errors.clear();
            }
            Problem problem = new Problem("about:blank", status.getReason(), status.getCode(), detail,
                    context.getRequest().getPath(), errors.isEmpty() ? null : errors, null);
            return base.body(problem).contentType(Problem.MEDIA_TYPE);
        }
    }

    private static final Pattern UNKNOWN_PROPERTY = Pattern.compile("Unknown property \\[([^\\]]+)\\]");
    private static final Pattern CONVERSION_PREFIX = Pattern.compile("^Failed to convert argument \\[[^\\]]*\\] for value \\[[^\\]]*\\] due to: ");

    /**
     * Micronaut's messages name Java arguments and carry parser positions; clients want the JSON
     * field and the reason.
     */
    static Problem.FieldError clean(String path, String message) {
        String field = path == null ? null : path.replaceFirst("^/", "");
        String text = message == null ? "invalid request" : message;
        Matcher unknown = UNKNOWN_PROPERTY.matcher(text);
        if (unknown.find()) {
            return new Problem.FieldError(unknown.group(1), "unknown field");
        }
        text = CONVERSION_PREFIX.matcher(text).replaceFirst("");
        int source = text.indexOf("\n at [Source");
        if (source >= 0) {
            text = text.substring(0, source).trim();
        }
        if ("request".equals(field)) {
            field = null; // the body as a whole
        }
        return new Problem.FieldError(field, text);
    }

    /**
     * A JSON value of the wrong type (see {@code StrictJsonScalars}): Serde wraps the failure once
     * per property it was reading, outermost first, so the chain spells the field's path
     * ({@code retention.count}); the innermost failure says what was wrong. Null for other errors.
     */
    static Problem.FieldError typeMismatch(Throwable error) {
        List<String> path = new ArrayList<>();
        Throwable innermost = null;
        for (Throwable t = error; t != null && t != innermost; t = t.getCause()) {
            if (t instanceof InvalidPropertyFormatException property) {
                path.add(property.getArgument().getName());
            }
            innermost = t;
        }
        return path.isEmpty() ? null : new Problem.FieldError(String.join(".", path), innermost.getMessage());
    }

    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    public static class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<Problem>> {
        @Override
        public HttpResponse<Problem> handle(HttpRequest request, ApiException e) {
            MutableHttpResponse<Problem> response = respond(request, e.status(), e.getMessage(), e.errors(), e.operationId());
            if (e.retryAfter() != null) {
                response.header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            }
            return response;
        }
    }

    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    @Replaces(io.micronaut.validation.exceptions.ConstraintExceptionHandler.class)
    public static class ValidationHandler implements ExceptionHandler<ConstraintViolationException, HttpResponse<Problem>> {
        @Override
        public HttpResponse<Problem> handle(HttpRequest request, ConstraintViolationException e) {
            List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                    .toList();
            String detail = errors.stream().map(err -> err.field() + ": " + err.message()).reduce((a, b) -> a + "; " + b).orElse("invalid request");
            return respond(request, HttpStatus.BAD_REQUEST, detail, errors, null);
        }

        /** {@code create.request.name} becomes {@code name}: the field as the client sent it. */
        private static String field(ConstraintViolation<?> violation) {
            List<String> names = new ArrayList<>();
            for (Path.Node node : violation.getPropertyPath()) {
                if (node.getName() != null) {
                    names.add(node.getName());
                }
            }
            if (names.size() > 2) {
                return String.join(".", names.subList(2, names.size()));
            }
            return names.isEmpty() ? null : names.get(names.size() - 1);
        }
    }

    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    @Replaces(DefaultAuthorizationExceptionHandler.class)
    public static class AuthorizationHandler implements ExceptionHandler<AuthorizationException, HttpResponse<Problem>> {
        @Override
        public HttpResponse<Problem> handle(HttpRequest request, AuthorizationException e) {
            if (e.isForbidden()) {
                return respond(request, HttpStatus.FORBIDDEN, "You may not do this", null, null);
            }
            return respond(request, HttpStatus.UNAUTHORIZED,
                    "Authentication required: send 'Authorization: Bearer <token>' with a session or API token", null, null)
                    .header("WWW-Authenticate", "Bearer");
        }
    }
}
