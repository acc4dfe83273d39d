package io.cloudplane.api.problem;

import io.micronaut.http.HttpStatus;

import java.time.Duration;
import java.util.List;

/** A refusal that the client can act on; rendered as problem+json by {@link ProblemHandlers}. */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final List<Problem.FieldError> errors;
    private final String operationId;
    private final Duration retryAfter;

    public ApiException(HttpStatus status, String detail, List<Problem.FieldError> errors, String operationId, Duration retryAfter) {
        super(detail);
        this.status = status;
        this.errors = errors;
        this.operationId = operationId;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, field + ": " + message, List.of(new Problem.FieldError(field, message)), null, null);
    }

    /** Also for resources that exist but are not the caller's, so that they are not revealed. */
    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " was not found", null, null, null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail, null, null, null);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail, null, null, null);
    }

    /** Another operation holds the resource: the problem names it. */
    public static ApiException busy(String detail, String operationId) {
        return new ApiException(HttpStatus.CONFLICT, detail, null, operationId, null);
    }

    /** The environment or app lacks the service or capability asked for. */
    public static ApiException unprocessable(String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, detail, null, null, null);
    }

    /** Well-formed, but the value of {@code field} cannot be acted on (an unknown version, a refused downgrade). */
    public static ApiException unprocessable(String field, String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, field + ": " + message, List.of(new Problem.FieldError(field, message)),
                null, null);
    }

    /** What the caller asks for existed but is used up: an expired, accepted or revoked invitation. */
    public static ApiException gone(String detail) {
        return new ApiException(HttpStatus.GONE, detail, null, null, null);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, detail, null, null, null);
    }

    public static ApiException tooManyRequests(String detail, Duration retryAfter) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, detail, null, null, retryAfter);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, detail, null, null, Duration.ofSeconds(5));
    }

    public HttpStatus status() {
        return status;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    public String operationId() {
        return operationId;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
