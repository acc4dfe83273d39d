package io.cloudplane.worker;

import io.cloudplane.api.app.AppService;
import io.cloudplane.api.operation.OperationLauncher;
import io.cloudplane.infra.database.DatabaseProvisioner;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real workflow, activities, database and runtime, with a server version whose command exits
 * at once: the environment ends FAILED with the reason, and its database, role and folders are gone.
 */
@MicronautTest(transactional = false)
class ProvisioningFailureIT {
    @Inject UserRepository users;
    @Inject AppService apps;
    @Inject OperationLauncher launcher;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject DatabaseProvisioner databases;
    @Inject EnvironmentFiles files;

    @Test
    void aServerThatNeverBecomesHealthyFailsTheEnvironmentAndLeavesNothingBehind() throws Exception {
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "fail-" + UUID.randomUUID() + "@example.com", "F", "L",
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
        OperationRecord op = apps.createApp(owner.id(), "doomed", AppRecord.AppKind.APPLICATION);
        assertTrue(launcher.launch(op));

        OperationRecord current = await("the provisioning to end").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> operations.findById(op.id()).orElseThrow(), o -> o.status().isFinal());
        assertEquals(OperationStatus.FAILED, current.status(), current.toString());
        assertTrue(current.error().contains("exited"), current.error());
        assertTrue(current.steps().contains("\"name\":\"await-healthy\",\"status\":\"FAILED\""), current.steps());
        assertTrue(current.steps().contains("\"name\":\"clean-up\",\"status\":\"SUCCEEDED\""), current.steps());

        EnvironmentRecord env = environments.findById(op.envId()).orElseThrow();
        assertEquals(EnvironmentStatus.FAILED, env.status());
        assertTrue(env.statusReason().contains("exited"), env.statusReason());
        assertFalse(databases.databaseExists(env.dbName()), "the database was dropped");
        assertFalse(databases.roleExists(env.dbName()), "the role was dropped");
        assertFalse(files.exists(env.id().toString()), "the folders were removed");
    }
}
