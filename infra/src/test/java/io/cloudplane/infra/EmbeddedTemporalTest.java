package io.cloudplane.infra;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded Temporal answers on loopback only, and serves the default namespace. */
@MicronautTest(transactional = false)
class EmbeddedTemporalTest {
    @Inject EmbeddedTemporalServer server;
    @Inject WorkflowClient client;

    @Test
    void listensOnLoopbackOnlyAndServesTheDefaultNamespace() throws Exception {
        assertTrue(server.address().getAddress().isLoopbackAddress(), server.target());
        var namespace = client.getWorkflowServiceStubs().blockingStub()
                .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build());
        assertEquals("default", namespace.getNamespaceInfo().getName());

        int port = server.address().getPort();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    assertThrows(java.io.IOException.class, () -> new Socket(address, port).close(),
                            "the embedded Temporal must not answer on " + address.getHostAddress());
                }
            }
        }
    }
}
