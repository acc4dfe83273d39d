package io.cloudplane.api.security;

import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpRequest;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAddressesTest {

    static RateLimitSettings trusting(String... proxies) {
        return new RateLimitSettings(10, 30, Duration.ofMinutes(1), 5, 3, Duration.ofHours(1), List.of(proxies));
    }

    /** A request whose connection comes from {@code peer} (the simple request takes its address from the URI's host). */
    private static MutableHttpRequest<?> from(String peer, String... forwardedFor) {
        MutableHttpRequest<?> request = HttpRequest.POST("http://" + peer + ":8080/api/v1/sessions", "{}");
        for (String header : forwardedFor) {
            request.header("X-Forwarded-For", header);
        }
        return request;
    }

    private static String address(RateLimitSettings settings, MutableHttpRequest<?> request) {
        return new ClientAddresses(settings).of(request).getHostAddress();
    }

    @Test
    void withoutATrustedProxyTheConnectionsAddressCountsAndTheHeaderIsIgnored() {
        assertEquals("198.51.100.7", address(trusting(), from("198.51.100.7", "203.0.113.9")));
        assertEquals("198.51.100.7", address(trusting("10.0.0.0/8"), from("198.51.100.7", "203.0.113.9")));
    }

    @Test
    void behindATrustedProxyTheRightmostUntrustedForwardedAddressCounts() {
        assertEquals("203.0.113.9", address(trusting("127.0.0.1"), from("127.0.0.1", "203.0.113.9")));
        // The client wrote 198.51.100.7 itself; the proxies appended 203.0.113.9 (the client) and 10.1.1.1 (a proxy).
        assertEquals("203.0.113.9", address(trusting("10.0.0.0/8"), from("10.0.0.5", "198.51.100.7, 203.0.113.9, 10.1.1.1")));
        assertEquals("203.0.113.9", address(trusting("10.0.0.0/8"), from("10.0.0.5", "198.51.100.7", "203.0.113.9")));
        assertEquals("10.0.0.5", address(trusting("10.0.0.0/8"), from("10.0.0.5")), "no header: the proxy itself");
        assertEquals("10.0.0.5", address(trusting("10.0.0.0/8"), from("10.0.0.5", "evil.example.com")),
                "an entry that is no address is not believed, nor anything left of it");
    }

    @Test
    void blocksMatchByPrefixInBothFamiliesAndNeverLookUpNames() throws Exception {
        AddressBlock v4 = AddressBlock.parse("192.168.8.0/21").orElseThrow();
        assertTrue(v4.contains(InetAddress.getByName("192.168.15.255")));
        assertFalse(v4.contains(InetAddress.getByName("192.168.16.0")));
        AddressBlock v6 = AddressBlock.parse("fd00::/8").orElseThrow();
        assertTrue(v6.contains(InetAddress.getByName("fd12::1")));
        assertFalse(v6.contains(InetAddress.getByName("fe80::1")));
        assertFalse(v6.contains(InetAddress.getByName("10.0.0.1")));
        assertTrue(AddressBlock.parse("0.0.0.0/0").orElseThrow().contains(InetAddress.getByName("8.8.8.8")));
        assertTrue(AddressBlock.parse("localhost").isEmpty());
        assertTrue(AddressBlock.parse("cafe").isEmpty(), "hex letters alone are a name, not an address");
        assertTrue(AddressBlock.parse("10.0.0.0/33").isEmpty());
        assertTrue(AddressBlock.parse("10.0.0.0/x").isEmpty());
    }

    @Test
    void aTrustedProxyThatIsNoAddressStopsTheStartNamingTheSetting() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> trusting("proxy.internal"));
        assertTrue(e.getMessage().contains("CLOUDPLANE_RATE_LIMIT_TRUSTED_PROXIES"), e.getMessage());
    }
}
