package io.cloudplane.infra.embedded;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Requires;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's own Java test server, in real time, served on a loopback-only gRPC port so that
 * operators can reach it with the temporal CLI ({@code CLOUDPLANE_EMBEDDED_TEMPORAL_PORT}, default
 * 7233; 0 picks a free port). Started only when {@code TEMPORAL_TARGET} is not set. Its state is in
 * memory: unfinished operations are started again by the API's reconciliation after a restart.
 * Closed runs are forgotten after {@code cloudplane.embedded.temporal.retention} ({@link ClosedWorkflowRetention}).
 */
@Singleton
@Requires(missingProperty = "temporal.target")
public class EmbeddedTemporalServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTemporalServer.class);
    private final TestServicesStarter services;
    private final Server server;
    private final ClosedWorkflowRetention retention;

    @Inject
    public EmbeddedTemporalServer(EmbeddedTemporalSettings settings, EmbeddedTemporalRetentionSettings retention) {
        this(settings.port(), retention.retention());
    }

    /** With the default retention of closed runs, three days. */
    public EmbeddedTemporalServer(int port) {
        this(port, EmbeddedTemporalRetentionSettings.DEFAULT_RETENTION);
    }

    public EmbeddedTemporalServer(int port, Duration retention) {
        this(port, true, new EmbeddedTemporalRetentionSettings(retention).retention());
    }

    /** {@code trimTimeLockLog} false keeps the test server as it comes, for comparison in tests. */
    EmbeddedTemporalServer(int port, boolean trimTimeLockLog) {
        this(port, trimTimeLockLog, EmbeddedTemporalRetentionSettings.DEFAULT_RETENTION);
    }

    private EmbeddedTemporalServer(int port, boolean trimTimeLockLog, Duration retention) {
        // lockTimeSkipping = true: the embedded server runs in real time, never skipping ahead.
        this.services = new TestServicesStarter(true, 0);
        if (trimTimeLockLog) {
            TimeLockEventLog.stopRetaining(services);
        }
        this.retention = ClosedWorkflowRetention.start(services, retention);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
        try {
            this.server = builder.build().start();
        } catch (IOException e) {
            this.retention.close();
            services.close();
            throw new UncheckedIOException("The embedded Temporal server could not listen on 127.0.0.1:" + port
                    + " (is another Temporal or Cloudplane running? set CLOUDPLANE_EMBEDDED_TEMPORAL_PORT)", e);
        }
        LOG.info("Embedded Temporal is listening on {}", target());
    }

    public String target() {
        InetSocketAddress address = (InetSocketAddress) server.getListenSockets().get(0);
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Events held in the test server's time-lock log: 0 once {@link TimeLockEventLog} has replaced it. */
    int retainedTimeLockEvents() {
        return TimeLockEventLog.retained(services);
    }

    /** What the server holds now: runs' states, histories and workflow IDs. For tests and diagnostics. */
    ClosedWorkflowRetention.Held heldRuns() {
        return retention.held();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    @PreDestroy
    @Override
    public void close() {
        retention.close();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        services.close();
    }
}
