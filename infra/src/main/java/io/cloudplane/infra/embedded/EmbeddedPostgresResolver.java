package io.cloudplane.infra.embedded;

import io.micronaut.context.env.PropertyExpressionResolver;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.value.PropertyResolver;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves {@code ${embedded-postgres.url}} by starting the embedded server. The default
 * configuration points {@code datasources.default.url} at it; {@code DATASOURCES_DEFAULT_URL}
 * takes precedence over that, and then nothing embedded starts. The username is a constant and
 * starts nothing, so that setting only the URL never starts a server by accident.
 */
public class EmbeddedPostgresResolver implements PropertyExpressionResolver {
    public static final String DEFAULT_DATA_DIR = ".cloudplane";

    @Override
    public <T> Optional<T> resolve(PropertyResolver properties, ConversionService conversion, String expression, Class<T> type) {
        String value = switch (expression) {
            case "embedded-postgres.url" -> EmbeddedPostgresServer.startIfAbsent(dataDir(properties),
                    properties.getProperty("cloudplane.embedded.postgres.port", Integer.class).orElse(0)).jdbcUrl();
            case "embedded-postgres.username" -> "postgres";
            default -> null;
        };
        return value == null ? Optional.empty() : conversion.convert(value, type);
    }

    static Path dataDir(PropertyResolver properties) {
        return Path.of(properties.getProperty("cloudplane.data-dir", String.class).orElse(DEFAULT_DATA_DIR), "postgres");
    }
}
