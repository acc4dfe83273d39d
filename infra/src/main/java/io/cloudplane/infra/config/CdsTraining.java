package io.cloudplane.infra.config;

/**
 * The build's class-data-sharing training start (worker's {@code CdsArchive}): a whole control
 * plane that starts on throwaway embedded services, so that the JVM can record the classes a start
 * loads, and exits once ready. It runs in this Micronaut environment, and every bean that works in
 * the background (scheduled jobs, recovery, the server supervisor) carries
 * {@code @Requires(notEnv = CdsTraining.ENVIRONMENT)}: a training start does nothing but start.
 */
public final class CdsTraining {
    /** The Micronaut environment of a training start. */
    public static final String ENVIRONMENT = "cds-training";
    /** The system property that makes {@code CloudplaneApplication} a training start. */
    public static final String PROPERTY = "cloudplane.cds-training";

    private CdsTraining() {
    }
}
