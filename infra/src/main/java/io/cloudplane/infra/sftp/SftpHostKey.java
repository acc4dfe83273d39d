package io.cloudplane.infra.sftp;

import io.cloudplane.infra.config.CloudplaneSettings;
import jakarta.inject.Singleton;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * The SFTP server's host key: an ECDSA P-256 key pair in {@code cloudplane.sftp.host-key} (default
 * {@code <data-dir>/sftp/ssh_host_ecdsa_key}), generated at first use and read ever after, so that
 * clients never see it change. {@link #fingerprint()} is what {@code ssh-keygen -l} prints
 * ({@code SHA256:…}), which the API shows for clients to compare.
 */
@Singleton
public class SftpHostKey {
    private final Path file;
    private volatile SimpleGeneratorHostKeyProvider provider;

    public SftpHostKey(SftpSettings settings, CloudplaneSettings cloudplane) {
        this.file = settings.hostKey() != null ? settings.hostKey().toAbsolutePath()
                : cloudplane.dataDir().resolve("sftp").resolve("ssh_host_ecdsa_key");
    }

    public Path file() {
        return file;
    }

    /** The provider MINA's server takes; the key is made (and written, owner-only) on first use. */
    public synchronized KeyPairProvider provider() {
        if (provider == null) {
            try {
                java.nio.file.Files.createDirectories(file.getParent());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Cannot create " + file.getParent() + " for the SFTP host key", e);
            }
            SimpleGeneratorHostKeyProvider p = new SimpleGeneratorHostKeyProvider(file);
            p.setAlgorithm(KeyUtils.EC_ALGORITHM);
            p.setKeySize(256);
            provider = p;
        }
        return provider;
    }

    public PublicKey publicKey() {
        try {
            for (KeyPair pair : provider().loadKeys(null)) {
                return pair.getPublic();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read or make the SFTP host key " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException("No SFTP host key in " + file);
    }

    /** {@code SHA256:<base64>}, as OpenSSH prints it. */
    public String fingerprint() {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, publicKey());
    }
}
