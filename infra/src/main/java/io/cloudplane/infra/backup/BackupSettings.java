package io.cloudplane.infra.backup;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code cloudplane.backup.pg-bin-dir}: where {@code pg_dump} and {@code pg_restore} are (empty: the
 * PATH); they must be at least the PostgreSQL server's major version, which {@link PgTools} checks.
 */
@ConfigurationProperties("cloudplane.backup")
public record BackupSettings(@Bindable(defaultValue = "") String pgBinDir) {
}
