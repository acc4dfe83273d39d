package io.cloudplane.infra.runtime;

/**
 * What a server needs to start. {@code preferredPort} keeps an environment's preview URL stable
 * across restarts where the port is still free. The database password is clear text here only,
 * in memory, on its way into the server's environment.
 */
public record ServerSpec(String envId, ServerVersion version, Integer preferredPort, String databaseUrl,
                         String databaseUser, String databasePassword) {

    @Override
    public String toString() {
        return "ServerSpec[envId=" + envId + ", version=" + version.version() + ", preferredPort=" + preferredPort
                + ", databaseUrl=" + databaseUrl + ", databaseUser=" + databaseUser + "]";
    }
}
