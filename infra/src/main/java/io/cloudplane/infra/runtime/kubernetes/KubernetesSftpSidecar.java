package io.cloudplane.infra.runtime.kubernetes;

import java.util.Map;

/**
 * What the SFTP sidecar of every environment needs, beyond {@link KubernetesSftpSettings}: what it reads
 * Cloudplane's database with (who may log in, the keys, the short-lived passwords, the activity log) and
 * Cloudplane's secret key ({@code connection}: environment variables, written into the app's namespace as
 * the Secret {@code cloudplane-sftp}, since a pod reads Secrets of its own namespace only), and the host
 * key file's contents ({@code hostKey}, the Secret {@code cloudplane-sftp-host-key}, the same for every
 * sidecar, so that clients see one host key wherever they connect).
 */
public record KubernetesSftpSidecar(KubernetesSftpSettings settings, Map<String, String> connection, String hostKey) {
    public static final String CONNECTION_SECRET = "cloudplane-sftp";
    public static final String HOST_KEY_SECRET = "cloudplane-sftp-host-key";
    public static final String HOST_KEY_FILE = "ssh_host_ecdsa_key";
    public static final String HOST_KEY_DIR = "/etc/cloudplane/sftp";
    /** Where the sidecar listens in the pod (the Service maps {@code settings.port()} to it). */
    public static final int CONTAINER_PORT = 2222;

    public KubernetesSftpSidecar {
        connection = Map.copyOf(connection);
    }

    @Override
    public String toString() {
        return "KubernetesSftpSidecar[" + settings + ", connection " + connection.keySet() + ", host key (hidden)]";
    }
}
