package io.cloudplane.api.gateway;

import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetSocketAddress;

/**
 * What the gateway knows of a request when it asks its {@link GatewayRouter} what to do, before any
 * of the body is read.
 *
 * @param host          the {@code Host} header as the client sent it (with its port, if any)
 * @param method        the HTTP method
 * @param uri           the path and query, as sent
 * @param headers       the request's headers, the {@code X-Cloudplane-*} ones already removed
 * @param peer          the connection's remote address
 * @param clientAddress the client's address: the peer's, or, from a trusted proxy, what its
 *                      {@code X-Forwarded-For} says
 * @param scheme        {@code http} or {@code https}, as the client used it (a trusted proxy's
 *                      {@code X-Forwarded-Proto}, else the listener's)
 * @param upgrade       whether the request asks for a WebSocket upgrade
 */
public record GatewayRequest(String host, String method, String uri, HttpHeaders headers, InetSocketAddress peer,
                             String clientAddress, String scheme, boolean upgrade) {

    /** The path without the query. */
    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** Whether a person with a browser sent it (a GET or HEAD that accepts HTML): they get pages and redirects, scripts get status codes. */
    public boolean fromBrowser() {
        String accept = headers.get("Accept");
        return (method.equals("GET") || method.equals("HEAD")) && accept != null && accept.contains("text/html");
    }
}
