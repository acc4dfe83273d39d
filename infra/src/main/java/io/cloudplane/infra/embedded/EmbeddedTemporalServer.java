package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.config.KeyFiles;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.AddSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
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
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's own Java test server, in real time, served on a loopback-only gRPC port so that
 * operators can reach it with the temporal CLI ({@code CLOUDPLANE_EMBEDDED_TEMPORAL_PORT}, default
 * 7233; 0 picks a free port). Started only when {@code TEMPORAL_TARGET} is not set. Its state is in
 * memory: unfinished operations are started again by the API's reconciliation after a restart.
 * Every call needs the API key kept in {@code <data dir>/keys/temporal.key} ({@link ApiKeyInterceptor}),
 * which {@code TemporalFactory} sends and operators pass to the CLI with {@code --api-key}.
 * Closed runs are forgotten after {@code cloudplane.embedded.temporal.retention} ({@link ClosedWorkflowRetention}).
 * Workflow tasks never go to a worker's sticky queue ({@link StickyQueueInterceptor}), so a run
 * whose worker was killed goes on with the next worker. It has Cloudplane's search attributes
 * (registered at start), and answers ListSearchAttributes ({@link ListingOperatorService}); the test
 * server has no visibility queries, so a workflow's attributes show in its description, not in a list.
 */
@Singleton
@Requires(missingProperty = "temporal.target")
public class EmbeddedTemporalServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTemporalServer.class);
    private final TestServicesStarter services;
    private final Server server;
    private final String apiKey;
    private final ClosedWorkflowRetention retention;
    private final ListingOperatorService operator;

    @Inject
    public EmbeddedTemporalServer(EmbeddedTemporalSettings settings, CloudplaneSettings cloudplane,
                                  EmbeddedTemporalRetentionSettings retention) {
        this(settings.port(), apiKeyIn(cloudplane.dataDir()), true, retention.retention());
        registerSearchAttributes();
    }

    /** Cloudplane's own server, with the default retention of closed runs (three days). */
    public EmbeddedTemporalServer(EmbeddedTemporalSettings settings, CloudplaneSettings cloudplane) {
        this(settings.port(), apiKeyIn(cloudplane.dataDir()), true, EmbeddedTemporalRetentionSettings.DEFAULT_RETENTION);
        registerSearchAttributes();
    }

    /**
     * A server that answers any client, with no API key: only for tests and benchmarks that stand it
     * in for an external cluster. Cloudplane's own embedded server is the bean, which requires its key.
     */
    public EmbeddedTemporalServer(int port) {
        this(port, EmbeddedTemporalRetentionSettings.DEFAULT_RETENTION);
    }

    /** As {@link #EmbeddedTemporalServer(int)}, with its own retention of closed runs. */
    public EmbeddedTemporalServer(int port, Duration retention) {
        this(port, null, true, new EmbeddedTemporalRetentionSettings(retention).retention());
    }

    /** {@code apiKey} null: no key required; {@code trimTimeLockLog} false keeps the test server as it comes, for comparison in tests. */
    EmbeddedTemporalServer(int port, String apiKey, boolean trimTimeLockLog) {
        this(port, apiKey, trimTimeLockLog, EmbeddedTemporalRetentionSettings.DEFAULT_RETENTION);
    }

    private EmbeddedTemporalServer(int port, String apiKey, boolean trimTimeLockLog, Duration retention) {
        this.apiKey = apiKey;
        // lockTimeSkipping = true: the embedded server runs in real time, never skipping ahead.
        this.services = new TestServicesStarter(true, 0);
        if (trimTimeLockLog) {
            TimeLockEventLog.stopRetaining(services);
        }
        this.retention = ClosedWorkflowRetention.start(services, retention);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.operator = new ListingOperatorService(services.getServices().stream()
                .filter(OperatorServiceGrpc.OperatorServiceImplBase.class::isInstance)
                .map(OperatorServiceGrpc.OperatorServiceImplBase.class::cast).findFirst().orElseThrow());
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices().stream()
                .map(service -> service instanceof OperatorServiceGrpc.OperatorServiceImplBase ? operator : service).toList(), builder);
        builder.intercept(new StickyQueueInterceptor());
        if (apiKey != null) {
            builder.intercept(new ApiKeyInterceptor(apiKey));
        }
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

    /**
     * Cloudplane's own server has its search attributes ({@link WorkflowTags#SEARCH_ATTRIBUTES}), as a
     * cluster prepared by its operator does: workflows are started with them, and found by them.
     */
    public void registerSearchAttributes() {
        AddSearchAttributesRequest.Builder request = AddSearchAttributesRequest.newBuilder();
        WorkflowTags.SEARCH_ATTRIBUTES.forEach(key -> request.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        CompletableFuture<Void> done = new CompletableFuture<>();
        operator.addSearchAttributes(request.build(), new StreamObserver<>() {
            @Override
            public void onNext(AddSearchAttributesResponse value) {
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        done.join();
    }

    /** The key of {@code <data dir>/keys/temporal.key}, generated on first use: what clients send as {@code Bearer <key>}. */
    public static String apiKeyIn(Path dataDir) {
        return Base64.getEncoder().encodeToString(KeyFiles.loadOrCreate(dataDir.resolve("keys").resolve("temporal.key"), 32));
    }

    /** The API key its clients must send, if it requires one. */
    public Optional<String> apiKey() {
        return Optional.ofNullable(apiKey);
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
