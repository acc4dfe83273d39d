package io.cloudplane.api.idempotency;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.ProblemHandlers;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.idempotency.IdempotencyKeyRecord;
import io.cloudplane.infra.idempotency.IdempotencyKeyRepository;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ConditionalFilter;
import io.micronaut.http.filter.FilterContinuation;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.SecurityFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * {@code Idempotency-Key} on every POST of the API, as Stripe has it. The first request with a key
 * runs and its response is kept for the retention (24 h); a retry with the same key and the same
 * request (method, path, query and body, byte for byte) answers that response again, with
 * {@code Idempotent-Replayed: true}, and runs nothing. The same key with another request is a 422,
 * a retry while the first request still runs a 409, and a key that is empty, longer than 255
 * characters or not printable ASCII a 400; each names the header.
 *
 * <p>Keys belong to the caller: the user, whether they come with a session or an API token, or
 * "anonymous" for sign-up and login, where only a retry with the same body (and so the same password)
 * gets the kept answer. It runs after the security filter, so an unauthenticated request never gets
 * here. A response that changed nothing is not kept, so that a retry runs again: every 4xx (a refusal
 * changes nothing, by the API's rules) and a 503 (nothing was started). Successes and other 5xx are
 * kept. Bodies are kept sealed with the secret key: a created API token or a session is in some.
 *
 * <p>A request whose process died before it answered leaves its key claimed; after
 * {@code in-flight-timeout} a retry takes the key over and runs again, so what that first request
 * may have committed is not known to it.
 */
@ServerFilter(value = "/api/**", methods = HttpMethod.POST)
public class IdempotencyFilter implements ConditionalFilter, Ordered {
    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    public static final int MAX_KEY_LENGTH = 255;
    static final String ANONYMOUS = "anonymous";
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyFilter.class);

    private final IdempotencyKeyRepository keys;
    private final SecretBox secrets;
    private final JsonMapper json;
    private final IdempotencySettings settings;
    private final ProblemHandlers.ApiExceptionHandler problems = new ProblemHandlers.ApiExceptionHandler();

    public IdempotencyFilter(IdempotencyKeyRepository keys, SecretBox secrets, JsonMapper json, IdempotencySettings settings) {
        this.keys = keys;
        this.secrets = secrets;
        this.json = json;
        this.settings = settings;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.after(); // the caller is known
    }

    /** Requests without the header pass without waiting for their body or a thread. */
    @Override
    public boolean isEnabled(HttpRequest<?> request) {
        return request.getHeaders().contains(HEADER);
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    public MutableHttpResponse<?> filter(HttpRequest<?> request, @Nullable @Body byte[] body,
                                         FilterContinuation<MutableHttpResponse<?>> continuation) {
        String key = request.getHeaders().get(HEADER);
        String refusal = refusal(key);
        if (refusal != null) {
            return problem(request, ApiException.badRequest(HEADER, refusal));
        }
        String caller = caller(request);
        String fingerprint = fingerprint(request, body);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID claimed = UUID.randomUUID();
        if (keys.claim(claimed, caller, key, fingerprint, now) == 0) {
            IdempotencyKeyRecord first = keys.find(caller, key).orElse(null);
            if (first != null && keys.forgetIfOlder(first.id(), now.minus(settings.retention())) == 1) {
                first = null; // expired: this request is a first one
            }
            if (first == null) {
                if (keys.claim(claimed, caller, key, fingerprint, now) == 0) {
                    return problem(request, inFlight()); // another request claimed it in between
                }
            } else if (!first.requestSha256().equals(fingerprint)) {
                return problem(request, ApiException.unprocessable(HEADER,
                        "was used with another request (a different body, path or method); send a new key for a new request"));
            } else if (first.answered()) {
                return replay(first);
            } else if (keys.takeOver(first.id(), now, now.minus(settings.inFlightTimeout())) == 1) {
                LOG.warn("Idempotency key of {} unanswered since {}: its request runs again", caller, first.lockedAt());
                claimed = first.id();
            } else {
                return problem(request, inFlight());
            }
        }
        return runAndKeep(claimed, continuation);
    }

    private MutableHttpResponse<?> runAndKeep(UUID claimed, FilterContinuation<MutableHttpResponse<?>> continuation) {
        MutableHttpResponse<?> response;
        try {
            response = continuation.proceed();
        } catch (RuntimeException | Error e) {
            keys.release(claimed);
            throw e;
        }
        int status = response.code();
        boolean changedNothing = (status >= 400 && status < 500) || status == HttpStatus.SERVICE_UNAVAILABLE.getCode();
        byte[] bytes = changedNothing ? null : bodyBytes(response);
        if (changedNothing || bytes == null) {
            keys.release(claimed);
            return response;
        }
        // The client gets exactly the bytes a retry will get.
        String contentType = response.getContentType().map(MediaType::toString).orElse(bytes.length == 0 ? null : MediaType.APPLICATION_JSON);
        response.body(bytes);
        if (contentType != null) {
            response.contentType(contentType);
        }
        try {
            keys.answer(claimed, status, contentType, response.getHeaders().get(HttpHeaders.LOCATION),
                    secrets.encrypt(new String(bytes, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            // The request did its work: the client gets its answer, not a 500 that asks for a retry. The key stays
            // claimed, so a retry gets 409 until the in-flight timeout.
            LOG.warn("Could not keep the response to an Idempotency-Key request: {}", e.getMessage());
        }
        return response;
    }

    private MutableHttpResponse<?> replay(IdempotencyKeyRecord first) {
        byte[] body = first.responseBody() == null ? new byte[0] : secrets.decrypt(first.responseBody()).getBytes(StandardCharsets.UTF_8);
        MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(HttpStatus.valueOf(first.responseStatus())).body(body);
        if (first.responseContentType() != null) {
            response.contentType(first.responseContentType());
        }
        if (first.responseLocation() != null) {
            response.header(HttpHeaders.LOCATION, first.responseLocation());
        }
        return response.header(REPLAYED_HEADER, "true");
    }

    /** The body as sent: JSON, as the server would write it; null for one that cannot be kept (a stream). */
    private byte[] bodyBytes(MutableHttpResponse<?> response) {
        Object body = response.getBody().orElse(null);
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof byte[] raw) {
            return raw;
        }
        if (body instanceof CharSequence text) {
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
        boolean jsonBody = response.getContentType().map(t -> t.getExtension().equals("json") || t.getSubtype().endsWith("+json")).orElse(true);
        if (!jsonBody || body instanceof org.reactivestreams.Publisher<?> || body instanceof java.io.InputStream) {
            LOG.warn("A {} body of {} cannot be kept for Idempotency-Key retries", body.getClass().getSimpleName(), response.getStatus());
            return null;
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why a key is refused, or null. */
    static String refusal(String key) {
        if (key == null || key.isBlank()) {
            return "must not be empty";
        }
        if (key.length() > MAX_KEY_LENGTH) {
            return "must be at most " + MAX_KEY_LENGTH + " characters long; it is " + key.length();
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "must be printable ASCII, such as a UUID";
            }
        }
        return null;
    }

    private static String caller(HttpRequest<?> request) {
        return request.getAttribute(SecurityFilter.AUTHENTICATION, Authentication.class)
                .map(Authentication::getName)
                .orElse(ANONYMOUS);
    }

    /** Method, path with query, and body: a retry is the same request byte for byte. */
    static String fingerprint(HttpRequest<?> request, @Nullable byte[] body) {
        MessageDigest digest = Sha256.newDigest();
        digest.update((request.getMethodName() + " " + request.getUri() + "\n").getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            digest.update(body);
        }
        return Sha256.hex(digest);
    }

    private static ApiException inFlight() {
        return new ApiException(HttpStatus.CONFLICT, "A request with this " + HEADER + " is still running; retry once it has answered",
                null, null, Duration.ofSeconds(1));
    }

    private MutableHttpResponse<?> problem(HttpRequest<?> request, ApiException refusal) {
        return (MutableHttpResponse<?>) problems.handle(request, refusal);
    }
}
