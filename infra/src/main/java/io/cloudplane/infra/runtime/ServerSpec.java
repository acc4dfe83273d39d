package io.cloudplane.infra.runtime;

/**
 * What a server needs to start. {@code preferredPort} keeps an environment's preview URL stable
 * across restarts where the port is still free. The database password is clear text here only,
 * in memory, on its way into the server's environment. {@code gatewayKey}: the key a local server
 * requires of every request but its health check ({@link io.cloudplane.infra.gateway.GatewayKeys});
 * null for none.
 */
public record ServerSpec(String envId, ServerVersion version, Integer preferredPort, String databaseUrl,
                         String databaseUser, String databasePassword, String gatewayKey) {

    /** A server that takes requests from anyone who reaches its port (tests of the runtime itself). */
    public ServerSpec(String envId, ServerVersion version, Integer preferredPort, String databaseUrl,
                      String databaseUser, String databasePassword) {
        this(envId, version, preferredPort, databaseUrl, databaseUser, databasePassword, null);
    }

    @Override
    public String toString() {
        return "ServerSpec[envId=" + envId + ", version=" + version.version() + ", preferredPort=" + preferredPort
                + ", databaseUrl=" + databaseUrl + ", databaseUser=" + databaseUser + "]";
    }
}
