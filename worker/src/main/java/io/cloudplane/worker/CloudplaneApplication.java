package io.cloudplane.worker;

import io.cloudplane.infra.config.CdsTraining;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;
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
        if (args.length > 0 && io.cloudplane.infra.code.CodeFetcher.POD_MODE.equals(args[0])) {
            // An environment pod's init container: fetch its code into the code volume, no application context.
            io.cloudplane.infra.code.CodeFetcher.podMain(args);
            return;
        }
        long started = System.nanoTime();
        boolean training = Boolean.getBoolean(CdsTraining.PROPERTY);
        Micronaut application = Micronaut.build(args).mainClass(CloudplaneApplication.class).banner(false);
        if (training) {
            training(application);
        }
        ApplicationContext context = application.start();
        String url = context.findBean(EmbeddedServer.class).map(s -> s.getURL().toString()).orElse("(no HTTP server)");
        System.out.printf("Cloudplane is ready at %s (started in %d ms; API %s/api/v1, health %s/health, API docs %s/swagger-ui/)%n",
                url, (System.nanoTime() - started) / 1_000_000, url, url, url);
        if (training) {
            // The build's training run: the JVM writes its class-data-sharing archive as it exits.
            context.close();
            System.exit(0);
        }
    }

    /**
     * A training start (see {@link CdsArchive}) reads no environment variable as configuration, so
     * that none can point it at a real database, Temporal, cluster, bucket or mail server: it has
     * only its launcher's system properties and the built-in defaults, which are the embedded
     * services. Its Micronaut environment turns every background job off.
     */
    static void training(ApplicationContextBuilder application) {
        application.environments(CdsTraining.ENVIRONMENT).environmentPropertySource(false);
    }
}
