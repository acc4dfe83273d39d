package io.cloudplane.infra;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import io.micronaut.context.ApplicationContext;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With DATASOURCES_DEFAULT_URL and TEMPORAL_TARGET set, Cloudplane uses them, migrates the external
 * database, and starts nothing embedded.
 */
class ExternalServicesTest {

    @Test
    void externalPostgresAndTemporalAreUsedAndNothingEmbeddedStarts() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "external-").toAbsolutePath();
        Path dataDir = dir.resolve("data");
        int embeddedTemporalPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            embeddedTemporalPort = probe.getLocalPort();
        }
        try (EmbeddedPostgres externalDb = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("external-pg")).start();
             EmbeddedTemporalServer externalTemporal = new EmbeddedTemporalServer(0);
             ApplicationContext context = ApplicationContext.builder()
                     .deduceEnvironment(false)
                     .properties(Map.of(
                             "datasources.default.url", externalDb.getJdbcUrl("postgres", "postgres"),
                             "datasources.default.username", "postgres",
                             "datasources.default.password", "",
                             "temporal.target", externalTemporal.target(),
                             "temporal.namespace", "default",
                             "cloudplane.data-dir", dataDir.toString(),
                             "cloudplane.embedded.temporal.port", embeddedTemporalPort))
                     .start()) {
            // Flyway migrated the external database through the context's data source.
            try (var c = externalDb.getPostgresDatabase().getConnection();
                 var rs = c.createStatement().executeQuery("select count(*) from users")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
            context.getBean(DataSource.class);
            WorkflowClient client = context.getBean(WorkflowClient.class);
            assertEquals("default", client.getWorkflowServiceStubs().blockingStub()
                    .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build())
                    .getNamespaceInfo().getName());

            assertTrue(context.findBean(EmbeddedTemporalServer.class).isEmpty(), "no embedded Temporal bean");
            assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", embeddedTemporalPort).close(),
                    "nothing listens on the embedded Temporal port");
            assertFalse(Files.exists(dataDir.resolve("postgres")), "no embedded PostgreSQL was started");
        }
    }
}
