package io.cloudplane.infra.embedded;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Refuses (UNAUTHENTICATED) every call to the embedded Temporal that does not carry
 * {@code authorization: Bearer <key>}, the header Temporal's clients send for an API key (the
 * SDKs' API-key option, the temporal CLI's {@code --api-key}). Without it, any local process could
 * list, signal or terminate every workflow. Only the standard gRPC health check answers without it,
 * since it tells nothing but "serving".
 */
final class ApiKeyInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String HEALTH_SERVICE = "grpc.health.v1.Health";
    private final byte[] expected;

    ApiKeyInterceptor(String apiKey) {
        this.expected = ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (HEALTH_SERVICE.equals(call.getMethodDescriptor().getServiceName()) || authorized(headers.get(AUTHORIZATION))) {
            return next.startCall(call, headers);
        }
        call.close(Status.UNAUTHENTICATED.withDescription("the embedded Temporal requires its API key (authorization: Bearer <key>;"
                + " the key is in <data dir>/keys/temporal.key)"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private boolean authorized(String given) {
        // Constant time, so that the answer's timing does not tell how much of a guess was right.
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected);
    }
}
