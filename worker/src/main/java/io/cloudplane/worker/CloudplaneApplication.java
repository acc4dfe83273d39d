package io.cloudplane.worker;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;

/**
 * The all-in-one: API, Temporal worker, and the embedded services that no configuration replaced
 * (PostgreSQL, Temporal, the local runtime). {@code java -jar worker/target/cloudplane.jar}.
 */
public final class CloudplaneApplication {
    private CloudplaneApplication() {
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        ApplicationContext context = Micronaut.build(args).mainClass(CloudplaneApplication.class).banner(false).start();
        String url = context.findBean(EmbeddedServer.class).map(s -> s.getURL().toString()).orElse("(no HTTP server)");
        System.out.printf("Cloudplane is ready at %s (started in %d ms; API %s/api/v1, health %s/health, API docs %s/swagger-ui/)%n",
                url, (System.nanoTime() - started) / 1_000_000, url, url, url);
        if (Boolean.getBoolean("cloudplane.cds-training")) {
            // The build's training run: the JVM writes its class-data-sharing archive as it exits.
            context.close();
            System.exit(0);
        }
    }
}
