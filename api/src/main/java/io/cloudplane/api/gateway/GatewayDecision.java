package io.cloudplane.api.gateway;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What the gateway does with a request: forward it to an environment's server, or answer it itself. */
public sealed interface GatewayDecision {

    /**
     * Forward to {@code backend}, with {@code identity} set as request headers (the
     * {@code X-Cloudplane-*} ones; empty for an anonymous request). {@code route} is the router's
     * own, handed back to {@link GatewayRouter#backendFailed} and {@link GatewayRouter#forwarded}.
     * {@code dropAuthorization}: the request's {@code Authorization} was a Cloudplane credential, which
     * the server must not receive (the session cookie never reaches it either).
     */
    record Forward(InetSocketAddress backend, Map<String, String> identity, Object route, boolean dropAuthorization)
            implements GatewayDecision {

        public Forward(InetSocketAddress backend, Map<String, String> identity, Object route) {
            this(backend, identity, route, false);
        }
    }

    /** Answer with this status, headers and body; the request's body, if any, is read and dropped. */
    record Respond(int status, HttpHeaders headers, byte[] body) implements GatewayDecision {

        public static Respond page(int status, String html) {
            HttpHeaders headers = new DefaultHttpHeaders();
            headers.set("Content-Type", "text/html; charset=utf-8");
            headers.set("Cache-Control", "no-store");
            return new Respond(status, headers, html.getBytes(StandardCharsets.UTF_8));
        }

        public static Respond redirect(int status, String location) {
            HttpHeaders headers = new DefaultHttpHeaders();
            headers.set("Location", location);
            headers.set("Cache-Control", "no-store");
            return new Respond(status, headers, new byte[0]);
        }
    }
}
