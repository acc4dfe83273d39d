package io.cloudplane.infra.crypto;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.config.KeyFiles;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts secrets at rest (AES-256-GCM). The key comes from {@code CLOUDPLANE_SECRET_KEY} (base64,
 * 32 bytes) or is generated once under the data directory.
 */
@Singleton
public class SecretBox {
    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    @Inject
    public SecretBox(CloudplaneSettings settings) {
        this(settings, settings.secretKey());
    }

    public SecretBox(CloudplaneSettings settings, String configuredKey) {
        byte[] bytes = configuredKey.isBlank()
                ? KeyFiles.loadOrCreate(settings.dataDir().resolve("keys/secret.key"), 32)
                : Base64.getDecoder().decode(configuredKey.trim());
        if (bytes.length != 32) {
            throw new IllegalArgumentException("cloudplane.secret-key must be 32 bytes, base64-encoded");
        }
        this.key = new SecretKeySpec(bytes, "AES");
    }

    /**
     * A key derived from the secret key for one {@code purpose}: HMAC-SHA256 of the purpose, in hex.
     * The same on every start and in every process that shares the secret key; telling nothing of it.
     */
    public String derive(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    public String encrypt(String plain) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(String sealed) {
        if (!sealed.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a sealed secret");
        }
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt a secret: wrong cloudplane.secret-key?", e);
        }
    }
}
