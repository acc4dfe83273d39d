package io.cloudplane.infra.embedded;

import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.temporal.TemporalFactory;
import io.cloudplane.infra.temporal.TemporalSettings;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.BeanProvider;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.TerminateWorkflowExecutionRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The embedded Temporal refuses clients without its API key, as a local process would try it with a
 * raw gRPC client; with the key (as the temporal CLI sends it), and through Cloudplane's own
 * client factory, it answers.
 */
class EmbeddedTemporalApiKeyTest {

    @Test
    void refusesCallsWithoutTheApiKeyAndAnswersWithIt() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "temporal-key-").toAbsolutePath();
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(new EmbeddedTemporalSettings(0), new CloudplaneSettings(dataDir.toString()))) {
            Path keyFile = dataDir.resolve("keys/temporal.key");
            String key = Files.readString(keyFile).trim();
            assertEquals(key, server.apiKey().orElseThrow());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));

            ManagedChannel channel = NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
            try {
                DescribeNamespaceRequest describe = DescribeNamespaceRequest.newBuilder().setNamespace("default").build();
                WorkflowServiceGrpc.WorkflowServiceBlockingStub anonymous = WorkflowServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS);
                assertUnauthenticated(() -> anonymous.describeNamespace(describe));
                assertUnauthenticated(() -> anonymous.terminateWorkflowExecution(TerminateWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default").setWorkflowExecution(WorkflowExecution.newBuilder().setWorkflowId("env-provision/any")).build()));
                assertUnauthenticated(() -> withAuthorization(channel, "Bearer wrong-" + key).describeNamespace(describe));
                assertUnauthenticated(() -> withAuthorization(channel, key).describeNamespace(describe));

                assertEquals("default", withAuthorization(channel, "Bearer " + key).describeNamespace(describe).getNamespaceInfo().getName());
                // The standard health check tells nothing but "serving", and needs no key.
                assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder().build()).getStatus());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            WorkflowServiceStubs stubs = new TemporalFactory().workflowServiceStubs(new TemporalSettings("", "default", ""), provider(server),
                    new com.uber.m3.tally.NoopScope());
            try {
                assertEquals("default", stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build())
                        .getNamespaceInfo().getName(), "Cloudplane's own client sends the key");
            } finally {
                stubs.shutdownNow();
            }
        }
    }

    private static WorkflowServiceGrpc.WorkflowServiceBlockingStub withAuthorization(ManagedChannel channel, String authorization) {
        Metadata headers = new Metadata();
        headers.put(ApiKeyInterceptor.AUTHORIZATION, authorization);
        return WorkflowServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static void assertUnauthenticated(Runnable call) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode(), refused.getMessage());
    }

    private static BeanProvider<EmbeddedTemporalServer> provider(EmbeddedTemporalServer server) {
        return new BeanProvider<>() {
            @Override
            public EmbeddedTemporalServer get() {
                return server;
            }
        };
    }
}
