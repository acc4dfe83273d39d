package io.cloudplane.infra.embedded;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import jakarta.annotation.PreDestroy;

/** Stops the embedded PostgreSQL, if this context's configuration started one, when the context stops. */
@Context
public class EmbeddedPostgresShutdown {
    private final Environment environment;

    public EmbeddedPostgresShutdown(Environment environment) {
        this.environment = environment;
    }

    @PreDestroy
    void stop() {
        EmbeddedPostgresServer.stopIfRunning(EmbeddedPostgresResolver.dataDir(environment));
    }
}
