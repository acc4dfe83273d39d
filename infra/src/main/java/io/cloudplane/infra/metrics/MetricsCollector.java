package io.cloudplane.infra.metrics;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.ServerSample;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every {@code cloudplane.metrics.interval} (30 s; {@code CLOUDPLANE_METRICS_INTERVAL}) samples
 * every RUNNING environment: CPU and memory from the runtime (one call for a batch of
 * environments), disk as the database's size (one query for the batch) plus its resource files.
 * Stores the batch in one insert, and applies retention once an hour. Runs in worker processes only,
 * and with several workers one of them per cycle (a PostgreSQL advisory lock), so that nothing is
 * sampled twice.
 */
@Singleton
@Requires(property = "cloudplane.metrics.enabled", notEquals = "false")
@Requires(notEnv = CdsTraining.ENVIRONMENT) // a training start does nothing but start
@Requires(property = "cloudplane.worker.enabled", notEquals = "false") // where the servers run; API-only processes do not sample
public class MetricsCollector {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsCollector.class);
    static final int BATCH = 500;
    private final EnvironmentRepository environments;
    private final EnvironmentRuntime runtime;
    private final DatabaseProvisioner databases;
    private final EnvironmentFiles files;
    private final MetricsStore store;
    private volatile Instant lastRetention = Instant.EPOCH;

    public MetricsCollector(EnvironmentRepository environments, EnvironmentRuntime runtime, DatabaseProvisioner databases,
                            EnvironmentFiles files, MetricsStore store) {
        this.environments = environments;
        this.runtime = runtime;
        this.databases = databases;
        this.files = files;
        this.store = store;
    }

    @Scheduled(initialDelay = "${cloudplane.metrics.interval:30s}", fixedDelay = "${cloudplane.metrics.interval:30s}")
    public void scheduled() {
        try {
            Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            if (!store.exclusively(() -> collect(at))) {
                LOG.debug("Another worker is collecting metrics this cycle");
            }
        } catch (RuntimeException e) {
            LOG.warn("Metrics were not collected this time: {}", e.getMessage());
        }
    }

    /** One cycle; returns the number of samples stored. */
    public int collect(Instant at) {
        List<EnvironmentRecord> running = environments.findByStatus(EnvironmentStatus.RUNNING);
        // One reading of every server (on Kubernetes two cluster-wide calls, whatever the batch size).
        Map<String, ServerSample> servers = runtime.sample(running.stream().map(e -> e.id().toString()).toList());
        int stored = 0;
        for (int from = 0; from < running.size(); from += BATCH) {
            List<EnvironmentRecord> batch = running.subList(from, Math.min(running.size(), from + BATCH));
            Map<String, Long> sizes = databases.databaseSizes(batch.stream().map(EnvironmentRecord::dbName).toList());
            List<MetricsStore.Sample> samples = new ArrayList<>(batch.size());
            for (EnvironmentRecord env : batch) {
                ServerSample s = servers.get(env.id().toString());
                Long db = sizes.get(env.dbName());
                long disk = (db == null ? 0 : db) + files.resourcesBytes(env.id().toString());
                samples.add(new MetricsStore.Sample(env.id(), at, s == null ? null : s.cpuPercent(), s == null ? null : s.memoryBytes(),
                        disk, s == null ? null : s.netInBytes(), s == null ? null : s.netOutBytes()));
            }
            store.write(samples);
            stored += samples.size();
        }
        if (Duration.between(lastRetention, at).compareTo(Duration.ofHours(1)) >= 0) {
            store.applyRetention(at);
            lastRetention = at;
        }
        return stored;
    }
}
