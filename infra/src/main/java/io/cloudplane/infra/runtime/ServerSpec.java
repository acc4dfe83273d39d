package io.cloudplane.infra.runtime;

/**
 * What a server needs to start. {@code preferredPort} keeps an environment's preview URL stable
 * across restarts where the port is still free. The database password is clear text here only,
 * in memory, on its way into the server's environment. {@code gatewayKey}: the key a local server
 * requires of every request but its health check ({@link io.cloudplane.infra.gateway.GatewayKeys});
 * null for none. {@code code}: the environment's code object, which a runtime that does not share the
 * control plane's disk fetches into the server's code folder (Kubernetes: the pod's init container);
 * null when the environment has no code yet. The local runtime reads the code tree instead.
 */
public record ServerSpec(String envId, ServerVersion version, Integer preferredPort, String databaseUrl,
                         String databaseUser, String databasePassword, String gatewayKey, Code code) {

    /** An environment's code object: its key in the object store and its SHA-256 (as {@code environment_code} records them). */
    public record Code(String objectKey, String sha256) {
        public Code {
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
            }
        }
    }

    /** A server without code delivery (the local runtime reads the environment's code tree). */
    public ServerSpec(String envId, ServerVersion version, Integer preferredPort, String databaseUrl,
                      String databaseUser, String databasePassword, String gatewayKey) {
        this(envId, version, preferredPort, databaseUrl, databaseUser, databasePassword, gatewayKey, null);
    }

    public ServerSpec withCode(Code code) {
        return new ServerSpec(envId, version, preferredPort, databaseUrl, databaseUser, databasePassword, gatewayKey, code);
    }

    /** A server that takes requests from anyone who reaches its port (tests of the runtime itself). */
    public ServerSpec(String envId, ServerVersion version, Integer preferredPort, String databaseUrl,
                      String databaseUser, String databasePassword) {
        this(envId, version, preferredPort, databaseUrl, databaseUser, databasePassword, null);
    }

    @Override
    public String toString() {
        return "ServerSpec[envId=" + envId + ", version=" + version.version() + ", preferredPort=" + preferredPort
                + ", databaseUrl=" + databaseUrl + ", databaseUser=" + databaseUser + ", code=" + (code == null ? null : code.sha256()) + "]";
    }
}
