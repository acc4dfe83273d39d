package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.OwnerOnly;
import io.micronaut.context.env.PropertyExpressionResolver;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.value.PropertyResolver;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves {@code ${embedded-postgres.url}} by starting the embedded server. The default
 * configuration points {@code datasources.default.url} at it; {@code DATASOURCES_DEFAULT_URL}
 * takes precedence over that, and then nothing embedded starts. The username is a constant and
 * starts nothing, so that setting only the URL never starts a server by accident; the password is
 * the embedded superuser's only when the URL is the embedded server's.
 */
public class EmbeddedPostgresResolver implements PropertyExpressionResolver {
    public static final String DEFAULT_DATA_DIR = ".cloudplane";

    @Override
    public <T> Optional<T> resolve(PropertyResolver properties, ConversionService conversion, String expression, Class<T> type) {
        String value = switch (expression) {
            case "embedded-postgres.url" -> EmbeddedPostgresServer.startIfAbsent(OwnerOnly.directory(dataDir(properties).getParent()).resolve("postgres"),
                    properties.getProperty("cloudplane.embedded.postgres.port", Integer.class).orElse(0)).jdbcUrl();
            case "embedded-postgres.username" -> "postgres";
            case "embedded-postgres.password" -> embeddedPassword(properties);
            default -> null;
        };
        return value == null ? Optional.empty() : conversion.convert(value, type);
    }

    /**
     * The superuser's password when the data source is the embedded server, and nothing otherwise:
     * an external database with no password configured gets none, as before.
     */
    private static String embeddedPassword(PropertyResolver properties) {
        String url = properties.getProperty("datasources.default.url", String.class).orElse("");
        EmbeddedPostgresServer embedded = EmbeddedPostgresServer.running(dataDir(properties));
        return embedded != null && embedded.jdbcUrl().equals(url) ? embedded.superuserPassword() : "";
    }

    static Path dataDir(PropertyResolver properties) {
        return Path.of(properties.getProperty("cloudplane.data-dir", String.class).orElse(DEFAULT_DATA_DIR), "postgres");
    }
}
