package io.cloudplane.worker;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.runtime.LocalProcessRuntime;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.scheduling.annotation.Scheduled;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's class-data-sharing training start is a whole control plane: it must touch nothing
 * but its own throwaway embedded services, whatever its caller's environment points at.
 */
class CdsTrainingIT {
    private static final String ENVIRONMENT_ID = "3f1c2a4e-0000-4000-8000-000000000001";

    /**
     * The caller's environment names a real Cloudplane database holding a RUNNING environment, a
     * real Temporal, S3, SMTP server and Kubernetes cluster, the embedded PostgreSQL's port (that
     * of the real database, as when a killed all-in-one's PostgreSQL outlives it), and Java options
     * that set the database URL. The training start makes no connection to any of them.
     */
    @Test
    void trainingStartConnectsToNothingItsCallerConfigured() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "cds-training-it-").toAbsolutePath();
        Path operatorDataDir = dir.resolve("operator-data");
        try (EmbeddedPostgres external = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("external-pg")).start();
             Tripwire services = new Tripwire()) {
            String url = external.getJdbcUrl("postgres", "postgres");
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").load().migrate();
            try (Connection probe = external.getPostgresDatabase().getConnection()) {
                seedRunningEnvironment(probe);
                String before = fingerprint(probe);
                long sessionsBefore = sessions(probe);
                try (Connection other = external.getPostgresDatabase().getConnection()) {
                    other.createStatement().execute("select 1");
                }
                assertTrue(sessions(probe) > sessionsBefore, "the probe must see a new connection");
                sessionsBefore = sessions(probe);

                Map<String, String> environment = new HashMap<>();
                environment.put("DATASOURCES_DEFAULT_URL", url);
                environment.put("DATASOURCES_DEFAULT_USERNAME", "postgres");
                environment.put("DATASOURCES_DEFAULT_PASSWORD", "");
                environment.put("CLOUDPLANE_EMBEDDED_POSTGRES_PORT", Integer.toString(external.getPort()));
                environment.put("JAVA_TOOL_OPTIONS", "-Ddatasources.default.url=" + url);
                environment.put("CLOUDPLANE_DATA_DIR", operatorDataDir.toString());
                environment.put("CLOUDPLANE_SECRET_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
                environment.put("TEMPORAL_TARGET", services.address());
                environment.put("CLOUDPLANE_RUNTIME", "kubernetes");
                environment.put("KUBERNETES_MASTER", "http://" + services.address());
                environment.put("CLOUDPLANE_STORAGE_S3_BUCKET", "backups");
                environment.put("CLOUDPLANE_STORAGE_S3_ENDPOINT", "http://" + services.address());
                environment.put("CLOUDPLANE_STORAGE_S3_PATH_STYLE", "true");
                environment.put("AWS_ACCESS_KEY_ID", "operator");
                environment.put("AWS_SECRET_ACCESS_KEY", "operator-secret");
                environment.put("CLOUDPLANE_MAIL_TRANSPORT", "smtp");
                environment.put("CLOUDPLANE_MAIL_SMTP_HOST", "127.0.0.1");
                environment.put("CLOUDPLANE_MAIL_SMTP_PORT", Integer.toString(services.port()));
                environment.put("MICRONAUT_SERVER_PORT", Integer.toString(services.port()));
                environment.put("CLOUDPLANE_EMBEDDED_TEMPORAL_PORT", Integer.toString(services.port()));

                Path archive = dir.resolve("cloudplane.jsa");
                Path trainingDir = dir.resolve("training");
                ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", Path.of(CdsArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                        CdsArchive.class.getName(), AllInOne.jar().toAbsolutePath().toString(), archive.toString(), trainingDir.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("launcher.log").toFile())
                        .directory(dir.toFile());
                builder.environment().putAll(environment);
                Process launcher = builder.start();
                assertTrue(launcher.waitFor(10, TimeUnit.MINUTES), "the training start did not end");
                assertEquals(0, launcher.exitValue(), Files.readString(dir.resolve("launcher.log")));
                String log = Files.readString(trainingDir.resolve("training.log"));

                assertTrue(Files.size(archive) > 0, "the training start wrote no archive:\n" + log);
                assertTrue(Files.isDirectory(trainingDir.resolve("data").resolve("postgres")),
                        "the training start ran on its own embedded PostgreSQL:\n" + log);
                assertEquals(sessionsBefore, sessions(probe), "the training start connected to the caller's database:\n" + log);
                assertEquals(before, fingerprint(probe));
                assertEquals(0, services.connections(), "the training start connected to the caller's services:\n" + log);
                assertFalse(Files.exists(operatorDataDir), "the training start wrote into the caller's data directory");
            }
        }
    }

    /**
     * In its Micronaut environment, a training start has no scheduled job (reconciler, recoveries,
     * metrics), no server supervisor, and a Temporal worker that does not poll.
     */
    @Test
    void trainingStartRunsNoBackgroundWork() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "cds-training-context-").toAbsolutePath();
        ApplicationContextBuilder application = ApplicationContext.builder()
                .deduceEnvironment(false)
                .properties(Map.of("cloudplane.data-dir", dir.toString(), "micronaut.server.port", -1,
                        "cloudplane.embedded.temporal.port", 0));
        CloudplaneApplication.training(application);
        try (ApplicationContext context = application.start()) {
            assertTrue(context.getEnvironment().getActiveNames().contains(CdsTraining.ENVIRONMENT));
            List<String> scheduled = new ArrayList<>();
            for (BeanDefinition<?> definition : context.getAllBeanDefinitions()) {
                if (definition.getBeanType().getName().startsWith("io.cloudplane.")
                        && definition.getExecutableMethods().stream().anyMatch(m -> m.hasAnnotation(Scheduled.class))) {
                    scheduled.add(definition.getBeanType().getName());
                }
            }
            // The local runtime's log rotation acts only on servers this process started; a
            // training start starts none.
            assertEquals(List.of(LocalProcessRuntime.class.getName()), scheduled, "Cloudplane's scheduled jobs in a training start");
            assertFalse(context.containsBean(ServerSupervisor.class));
            assertFalse(context.getBean(TemporalWorker.class).polling());
        }
    }

    private static void seedRunningEnvironment(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            UUID user = UUID.randomUUID();
            UUID app = UUID.randomUUID();
            s.execute("insert into users (id, email, first_name, last_name, created_at) values ('" + user
                    + "', 'ops@example.com', 'Op', 'Erator', now())");
            s.execute("insert into apps (id, owner_id, name, kind, status, created_at, updated_at) values ('" + app + "', '"
                    + user + "', 'shop', 'APPLICATION', 'ACTIVE', now(), now())");
            s.execute("insert into environments (id, app_id, name, type, status, server_version, db_name, db_password, created_at, updated_at)"
                    + " values ('" + ENVIRONMENT_ID + "', '" + app + "', 'production', 'PRODUCTION', 'RUNNING', '1.1.0', 'env_x',"
                    + " 'sealed-with-the-operator-key', now(), now())");
        }
    }

    /** Every row of the tables a start or a background job writes, and the databases on the server. */
    private static String fingerprint(Connection c) throws SQLException {
        StringBuilder rows = new StringBuilder();
        for (String query : List.of(
                "select datname from pg_database order by 1",
                "select table_name from information_schema.tables where table_schema = 'public' order by 1",
                "select id, status, status_reason, updated_at from environments order by id",
                "select count(*) from operations",
                "select count(*) from flyway_schema_history")) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        rows.append(rs.getString(i)).append(i < columns ? "," : "\n");
                    }
                }
            }
        }
        assertTrue(rows.toString().contains(ENVIRONMENT_ID + ",RUNNING"), rows.toString());
        return rows.toString();
    }

    /** Sessions ever established to any database of the server. */
    private static long sessions(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("select pg_stat_clear_snapshot()");
            try (ResultSet rs = s.executeQuery("select sum(sessions) from pg_stat_database")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A loopback port that stands for every external service, and counts who connects to it. */
    private static final class Tripwire implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        Tripwire() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket ignored = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (SocketException closed) {
                        return;
                    } catch (IOException e) {
                        connections.incrementAndGet();
                    }
                }
            }, "tripwire");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        String address() {
            return "127.0.0.1:" + port();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
