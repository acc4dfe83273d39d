package io.cloudplane.infra.sftp;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;

/**
 * A public key pasted on the account, in OpenSSH's one-line format ({@code ssh-ed25519 AAAA… comment}),
 * parsed by Apache MINA SSHD: Ed25519, ECDSA on nistp256/384/521, or RSA of at least 2048 bits. The
 * comment is dropped; the key is kept as {@code "<type> <base64>"} with its {@code SHA256:} fingerprint,
 * which is what the SFTP server compares a login's key with.
 */
public final class SshPublicKeys {
    public static final int MIN_RSA_BITS = 2048;
    private static final Set<String> ACCEPTED = Set.of(KeyPairProvider.SSH_ED25519, KeyPairProvider.ECDSA_SHA2_NISTP256,
            KeyPairProvider.ECDSA_SHA2_NISTP384, KeyPairProvider.ECDSA_SHA2_NISTP521, KeyPairProvider.SSH_RSA);

    private SshPublicKeys() {
    }

    /** A key that is accepted: its OpenSSH type, its {@code "<type> <base64>"} text and its fingerprint. */
    public record Parsed(String type, String openSsh, String fingerprint, PublicKey key) {
    }

    /** Why a pasted text is not a key that is accepted; the message is for the person who pasted it. */
    public static final class RejectedKeyException extends IllegalArgumentException {
        public RejectedKeyException(String message) {
            super(message);
        }
    }

    public static Parsed parse(String text) {
        if (text == null || text.isBlank()) {
            throw new RejectedKeyException("must be a public key in OpenSSH format, such as the contents of ~/.ssh/id_ed25519.pub");
        }
        String line = text.strip();
        if (line.contains("PRIVATE KEY")) {
            throw new RejectedKeyException("this is a private key: never paste it anywhere; paste the public key instead"
                    + " (the .pub file, e.g. ~/.ssh/id_ed25519.pub)");
        }
        if (line.contains("\n") || line.contains("\r")) {
            throw new RejectedKeyException("must be one public key on one line (OpenSSH format); register each key on its own");
        }
        if (line.startsWith("---- BEGIN SSH2 PUBLIC KEY")) {
            throw new RejectedKeyException("is in the RFC 4716 format: convert it with ssh-keygen -i -f <file> and paste the one-line result");
        }
        AuthorizedKeyEntry entry;
        PublicKey key;
        try {
            entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line);
            if (entry == null) {
                throw new IllegalArgumentException("empty");
            }
            key = entry.resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw new RejectedKeyException("is not a public key in OpenSSH format (\"ssh-ed25519 AAAA… comment\"): "
                    + "use the contents of a .pub file");
        }
        if (!entry.getLoginOptions().isEmpty()) {
            throw new RejectedKeyException("must be a key alone, without authorized_keys options such as " + entry.getLoginOptions().keySet());
        }
        if (key == null) {
            throw new RejectedKeyException("has a key type that is not supported: use Ed25519, ECDSA or RSA of at least 2048 bits");
        }
        String type = KeyUtils.getKeyType(key);
        if (type == null || !ACCEPTED.contains(type)) {
            throw new RejectedKeyException("is a " + (type == null ? "key of an unknown type" : type + " key")
                    + ", which is not accepted: use Ed25519, ECDSA (nistp256, nistp384, nistp521) or RSA of at least 2048 bits");
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new RejectedKeyException("is an RSA key of " + rsa.getModulus().bitLength() + " bits: RSA keys need at least "
                    + MIN_RSA_BITS + " bits (ssh-keygen -t ed25519 makes a better one)");
        }
        return new Parsed(type, PublicKeyEntry.toString(key), fingerprint(key), key);
    }

    /** {@code SHA256:<base64 without padding>}, as {@code ssh-keygen -l} prints it. */
    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }
}
