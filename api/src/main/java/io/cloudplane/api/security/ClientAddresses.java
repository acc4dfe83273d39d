package io.cloudplane.api.security;

import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The address a request comes from: the connection's, unless that is a trusted proxy
 * ({@code cloudplane.rate-limit.trusted-proxies}); then the rightmost {@code X-Forwarded-For} entry
 * that is not one, since each proxy appends the address it was reached from and only the trusted
 * ones' entries can be believed. Micronaut's own resolver reads the header from anyone, which
 * would let a client choose the address its limits count against.
 */
@Singleton
public class ClientAddresses {
    static final String FORWARDED_FOR = "X-Forwarded-For";
    private final List<AddressBlock> trusted;

    public ClientAddresses(RateLimitSettings settings) {
        this.trusted = settings.trustedProxies().stream().map(p -> AddressBlock.parse(p).orElseThrow()).toList();
    }

    public InetAddress of(HttpRequest<?> request) {
        return of(request.getRemoteAddress().getAddress(), request.getHeaders().getAll(FORWARDED_FOR), trusted);
    }

    /**
     * The client behind {@code peer}: the peer itself unless it is in {@code trusted}; then the
     * rightmost {@code X-Forwarded-For} hop (over all the header's values) that is not trusted. Also
     * the access gateway's rule for its own trusted proxies.
     */
    public static InetAddress of(InetAddress peer, List<String> forwardedFor, List<AddressBlock> trusted) {
        if (!isTrusted(peer, trusted)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                hops.add(hop.trim());
            }
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = AddressBlock.literal(hops.get(i));
            if (hop.isEmpty()) {
                return client; // what a trusted proxy did not write cannot be believed
            }
            client = hop.get();
            if (!isTrusted(client, trusted)) {
                return client;
            }
        }
        return client;
    }

    public static boolean isTrusted(InetAddress address, List<AddressBlock> trusted) {
        for (AddressBlock block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
