package io.cloudplane.infra.gateway;

import io.cloudplane.infra.crypto.SecretBox;
import jakarta.inject.Singleton;

/**
 * Each environment's gateway key: what proves to its local server that a request came through the
 * gateway. The server gets it at start (the variable {@value #VARIABLE}); the gateway sends it with
 * every request it forwards (the header {@value #HEADER}, which it takes out of every incoming
 * request like every {@code X-Cloudplane-*} header). A process on the machine that opens the server's
 * loopback port itself has no key, so it can neither use the app around the gateway's sign-in nor
 * forge the identity headers. Derived from the secret key ({@link SecretBox#derive}), so it needs no
 * storage and is the same in every process and after every restart.
 */
@Singleton
public class GatewayKeys {
    public static final String HEADER = "X-Cloudplane-Gateway-Key";
    public static final String VARIABLE = "CLOUDPLANE_GATEWAY_KEY";
    private final SecretBox secrets;

    public GatewayKeys(SecretBox secrets) {
        this.secrets = secrets;
    }

    public String of(String envId) {
        return secrets.derive("gateway-key/" + envId);
    }
}
