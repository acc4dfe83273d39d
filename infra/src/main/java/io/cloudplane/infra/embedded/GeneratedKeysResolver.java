package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.KeyFiles;
import io.micronaut.context.env.PropertyExpressionResolver;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.value.PropertyResolver;

import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * Resolves {@code ${session-signing-secret}}: {@code cloudplane.jwt-secret}
 * ({@code CLOUDPLANE_JWT_SECRET}, at least 32 characters) when given, or else a random key
 * generated once and kept under the data directory, so that sessions survive a restart.
 */
public class GeneratedKeysResolver implements PropertyExpressionResolver {

    @Override
    public <T> Optional<T> resolve(PropertyResolver properties, ConversionService conversion, String expression, Class<T> type) {
        if (!expression.equals("session-signing-secret")) {
            return Optional.empty();
        }
        String configured = properties.getProperty("cloudplane.jwt-secret", String.class).orElse("");
        if (!configured.isBlank()) {
            if (configured.length() < 32) {
                throw new IllegalArgumentException("cloudplane.jwt-secret (CLOUDPLANE_JWT_SECRET) must be at least 32 characters");
            }
            if (configured.startsWith("change-me")) {
                // The placeholder of infra/k8s/cloudplane.yaml is public: anyone could sign sessions with it.
                throw new IllegalArgumentException("cloudplane.jwt-secret (CLOUDPLANE_JWT_SECRET) is still the manifest's placeholder;"
                        + " set it to a random value, e.g. `openssl rand -base64 48`");
            }
            return conversion.convert(configured, type);
        }
        Path dataDir = Path.of(properties.getProperty("cloudplane.data-dir", String.class).orElse(EmbeddedPostgresResolver.DEFAULT_DATA_DIR));
        String key = Base64.getEncoder().encodeToString(KeyFiles.loadOrCreate(dataDir.toAbsolutePath().resolve("keys/jwt.key"), 32));
        return conversion.convert(key, type);
    }
}
