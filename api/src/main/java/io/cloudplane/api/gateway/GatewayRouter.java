package io.cloudplane.api.gateway;

import java.util.concurrent.CompletionStage;

/**
 * Decides, for the gateway, where each request goes ({@link GatewayAccess} in the application).
 * {@link #decide} is called on the gateway's event loop once a request's head is read; it must not
 * block: it answers at once from what it keeps in memory, or with a stage completed later (a lookup
 * on another thread, a sandbox waking up). The gateway reads no more of the request until then.
 */
public interface GatewayRouter {

    CompletionStage<GatewayDecision> decide(GatewayRequest request);

    /**
     * The answer when the backend of {@code forward} could not be reached or failed before its
     * response began (refused, reset, timed out): a clear page, never the cause's text.
     */
    GatewayDecision.Respond backendFailed(GatewayRequest request, GatewayDecision.Forward forward, Throwable cause);

    /** Told after a forwarded request's response has begun (for the Studio's use to be recorded). Must not block. */
    default void forwarded(GatewayRequest request, GatewayDecision.Forward forward) {
    }
}
