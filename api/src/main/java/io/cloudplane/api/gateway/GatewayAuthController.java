package io.cloudplane.api.gateway;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problems;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.cloudplane.api.problem.Problem;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * The access gateway's decisions over Micronaut, for Kubernetes, where the Ingress routes the
 * environments' hosts itself: {@code GET /gateway/auth} is ingress-nginx's {@code auth-url} (the
 * same decision as the local gateway's, as a status: 200 with the identity headers, 401, 403, or the
 * 5xx of the page the gateway would show), and the reserved paths of an environment's host, which
 * the Ingress routes here (the {@code Host} names the environment). One decision core
 * ({@link GatewayAccess}), two adapters: this one and the local gateway.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
@Tag(name = "gateway")
public class GatewayAuthController {
    private final GatewayAccess access;
    private final HostNames hostNames;
    private final GatewayPages pages;

    public GatewayAuthController(GatewayAccess access, HostNames hostNames, GatewayPages pages) {
        this.pages = pages;
        this.access = access;
        this.hostNames = hostNames;
    }

    /**
     * Forward authentication: may the request the Ingress describes ({@code X-Original-URL}, or
     * {@code X-Forwarded-Host} with {@code X-Forwarded-Uri}; its {@code Cookie} and
     * {@code Authorization}) go through? 200 with the {@code X-Cloudplane-*} identity headers to pass
     * on; 401 when a sign-in is needed; 403 when the caller has no access; 404, 502 or 503 when the
     * environment is unknown or not serving.
     */
    @Get(value = "/gateway/auth", produces = {MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE, MediaType.TEXT_HTML})
    @Problems.BadRequest
    @Problems.Unauthorized
    @Problems.Forbidden
    @Problems.NotFound
    @Operation(operationId = "gatewayAuth")
    public HttpResponse<byte[]> auth(HttpRequest<?> http, @Nullable @Header("X-Original-URL") String originalUrl,
                                                       @Nullable @Header("X-Forwarded-Host") String forwardedHost,
                                                       @Nullable @Header("X-Forwarded-Uri") String forwardedUri,
                                                       @Nullable @Header("X-Forwarded-Proto") String forwardedProto,
                                                       @Nullable @Header("X-Original-Method") String originalMethod) {
        String scheme;
        String host;
        String uri;
        if (originalUrl != null) {
            URI original;
            try {
                original = new URI(originalUrl);
            } catch (Exception e) {
                throw ApiException.badRequest("X-Original-URL", "must be the absolute URL the Ingress was asked for");
            }
            if (original.getScheme() == null || original.getRawAuthority() == null) {
                throw ApiException.badRequest("X-Original-URL", "must be the absolute URL the Ingress was asked for");
            }
            scheme = original.getScheme().toLowerCase(Locale.ROOT);
            host = original.getRawAuthority();
            uri = (original.getRawPath() == null || original.getRawPath().isEmpty() ? "/" : original.getRawPath())
                    + (original.getRawQuery() == null ? "" : "?" + original.getRawQuery());
        } else if (forwardedHost != null) {
            scheme = "https".equalsIgnoreCase(forwardedProto) ? "https" : "http";
            host = forwardedHost;
            uri = forwardedUri == null || !forwardedUri.startsWith("/") ? "/" : forwardedUri;
        } else {
            throw ApiException.badRequest("X-Original-URL", "required: the URL the Ingress asks about (or X-Forwarded-Host and X-Forwarded-Uri)");
        }
        GatewayRequest request = request(http, originalMethod == null ? "GET" : originalMethod.toUpperCase(Locale.ROOT), host, uri, scheme);
        if (request.path().startsWith(GatewayAccess.RESERVED)) {
            // served by Cloudplane itself (below), which checks what they carry
            return HttpResponse.ok();
        }
        // Micronaut runs controllers on its blocking executor here (thread-selection BLOCKING): waiting is fine
        return access.decide(request).thenApply(decision -> {
            if (decision instanceof GatewayDecision.Forward forward) {
                MutableHttpResponse<byte[]> ok = HttpResponse.ok();
                forward.identity().forEach((name, value) -> {
                    if (!name.equalsIgnoreCase(io.cloudplane.infra.gateway.GatewayKeys.HEADER)) { // for local servers only
                        ok.header(name, value);
                    }
                });
                access.forwarded(request, forward);
                return ok;
            }
            GatewayDecision.Respond respond = (GatewayDecision.Respond) decision;
            if (respond.status() >= 300 && respond.status() < 400) {
                // the browser's way to the sign-in page: to the Ingress, a 401 (its auth-signin sends the browser on)
                GatewayDecision.Respond unauthorized = pages.problem(401, "Sign-in required", "Sign in to reach this environment.");
                unauthorized.headers().set("WWW-Authenticate", "Bearer");
                return response(unauthorized);
            }
            return response(respond);
        }).toCompletableFuture().join();
    }

    /** A one-time ticket becomes a session cookie for this host, and the browser goes on to the ticket's path. */
    @Get(value = "/_cloudplane/session", produces = {MediaType.TEXT_HTML, MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Problems.Forbidden
    @Problems.NotFound
    @Operation(operationId = "gatewaySession")
    public HttpResponse<byte[]> session(HttpRequest<?> http, @Nullable @QueryValue String ticket) {
        return reserved(http);
    }

    /** Ends this host's session: the cookie is cleared. */
    @Get(value = "/_cloudplane/sign-out", produces = {MediaType.TEXT_HTML, MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Problems.NotFound
    @Operation(operationId = "gatewaySignOut")
    public HttpResponse<byte[]> signOut(HttpRequest<?> http) {
        return reserved(http);
    }

    private HttpResponse<byte[]> reserved(HttpRequest<?> http) {
        String host = http.getHeaders().get("Host");
        // https when the base domain is served so, or when the Ingress says this request came over https (a custom
        // domain with its own certificate): the cookie is then Secure. A forged "https" only makes a cookie a plain-http
        // browser will not send back; a forged "http" cannot take Secure away from the base domain's.
        String scheme = hostNames.origin("h").startsWith("https:")
                || "https".equalsIgnoreCase(http.getHeaders().get("X-Forwarded-Proto")) ? "https" : "http";
        return access.decide(request(http, http.getMethodName(), host == null ? "" : host, http.getUri().toString(), scheme))
                .thenApply(decision -> response((GatewayDecision.Respond) decision)).toCompletableFuture().join();
    }

    private static GatewayRequest request(HttpRequest<?> http, String method, String host, String uri, String scheme) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (Map.Entry<String, java.util.List<String>> header : http.getHeaders()) {
            if (!header.getKey().regionMatches(true, 0, "X-Cloudplane-", 0, 13)) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        InetSocketAddress peer = http.getRemoteAddress();
        return new GatewayRequest(host, method, uri, headers, peer, peer.getAddress() == null ? peer.getHostString()
                : peer.getAddress().getHostAddress(), scheme, false);
    }

    private static HttpResponse<byte[]> response(GatewayDecision.Respond respond) {
        MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(HttpStatus.valueOf(respond.status())).body(respond.body());
        for (Map.Entry<String, String> header : respond.headers()) {
            response.getHeaders().add(header.getKey(), header.getValue());
        }
        return response;
    }
}
