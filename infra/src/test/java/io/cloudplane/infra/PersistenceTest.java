package io.cloudplane.infra;

import io.cloudplane.workflows.operation.OperationType;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repositories against the embedded PostgreSQL, with the schema Flyway made. */
@MicronautTest(transactional = false)
class PersistenceTest {
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject AppMemberRepository members;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private UserRecord user(String email) {
        return users.save(new UserRecord(UUID.randomUUID(), email, "Ada", "Lovelace", now));
    }

    private AppRecord app(UserRecord owner, String name, AppRecord.AppKind kind) {
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), owner.id(), name, kind, AppRecord.AppStatus.ACTIVE, now, now));
        members.save(AppMemberRecord.of(app.id(), owner.id(), AppMemberRecord.Role.OWNER));
        return app;
    }

    private EnvironmentRecord env(AppRecord app, String name) {
        UUID id = UUID.randomUUID();
        return environments.save(new EnvironmentRecord(id, app.id(), name, EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.PROVISIONING, null, "1.1.0", null, null, EnvironmentRecord.databaseNameFor(id), null, now, now));
    }

    @Test
    void emailsAreUniqueIgnoringCase() {
        String local = "grace-" + UUID.randomUUID();
        user(local + "@Example.com");
        assertTrue(users.findByEmailIgnoringCase(local.toUpperCase() + "@example.COM").isPresent());
        assertThrows(DataAccessException.class, () -> user(local + "@example.com"));
    }

    @Test
    void aUserHasAtMostOneSandboxAndAppNamesAreUniquePerOwner() {
        UserRecord owner = user("owner-" + UUID.randomUUID() + "@example.com");
        app(owner, "sandbox", AppRecord.AppKind.SANDBOX);
        assertThrows(DataAccessException.class, () -> app(owner, "second-sandbox", AppRecord.AppKind.SANDBOX));
        app(owner, "Shop", AppRecord.AppKind.APPLICATION);
        assertTrue(apps.existsByOwnerAndName(owner.id(), "shop"));
        assertThrows(DataAccessException.class, () -> app(owner, "SHOP", AppRecord.AppKind.APPLICATION));
        assertEquals(2, apps.findVisibleTo(owner.id()).size());
    }

    @Test
    void onlyOneUnfinishedOperationPerEnvironment() {
        UserRecord owner = user("ops-" + UUID.randomUUID() + "@example.com");
        EnvironmentRecord env = env(app(owner, "ops", AppRecord.AppKind.APPLICATION), "development");
        OperationRecord first = operations.save(new OperationRecord(UUID.randomUUID(), OperationType.PROVISION_ENVIRONMENT,
                OperationStatus.PENDING, env.appId(), env.id(), owner.id(), "env-provision/" + env.id(), null, "[]", null, now, now));
        assertThrows(DataAccessException.class, () -> operations.save(new OperationRecord(UUID.randomUUID(),
                OperationType.DELETE_ENVIRONMENT, OperationStatus.PENDING, env.appId(), env.id(), owner.id(),
                "env-delete/" + env.id(), null, "[]", null, now, now)));
        assertEquals(first.id(), operations.findActiveForEnvironment(env.id()).orElseThrow().id());

        assertEquals(1, operations.finish(first.id(), OperationStatus.SUCCEEDED, null, now));
        assertFalse(operations.findActiveForEnvironment(env.id()).isPresent());
        // A finished operation is never moved back by a late progress report.
        assertEquals(0, operations.recordProgress(first.id(), OperationStatus.RUNNING, "run", "[]", null, now));
        assertEquals(OperationStatus.SUCCEEDED, operations.findById(first.id()).orElseThrow().status());
    }

    @Test
    void aServerDeathIsRecordedOnlyOverARunningStatus() {
        UserRecord owner = user("death-" + UUID.randomUUID() + "@example.com");
        EnvironmentRecord env = env(app(owner, "death", AppRecord.AppKind.APPLICATION), "development");
        assertEquals(0, environments.markFailedIfRunning(env.id(), "exited", now));
        environments.updateStatus(env.id(), EnvironmentStatus.RUNNING, null, now);
        assertEquals(1, environments.markFailedIfRunning(env.id(), "exited with code 1", now));
        EnvironmentRecord failed = environments.findById(env.id()).orElseThrow();
        assertEquals(EnvironmentStatus.FAILED, failed.status());
        assertEquals("exited with code 1", failed.statusReason());
    }

    @Test
    void everyEnvironmentGetsAUniqueDnsLabelAndItsDefaultAccessFromTheDatabase() {
        UserRecord owner = user("labels-" + UUID.randomUUID() + "@example.com");
        AppRecord app = app(owner, "My Shop!! (Ünïcode) with a very long name indeed", AppRecord.AppKind.APPLICATION);
        EnvironmentRecord dev = env(app, "development");
        EnvironmentRecord read = environments.findById(dev.id()).orElseThrow();
        String hex = dev.id().toString().replace("-", "").substring(0, 12);
        assertEquals("development-my-shop-n-code-with-a-" + hex, read.hostLabel());
        assertTrue(("studio-" + read.hostLabel()).length() <= 63, read.hostLabel());
        assertEquals(EnvironmentRecord.EnvironmentAccess.MEMBERS, read.access());
        assertEquals(dev.id(), environments.findByHostLabel(read.hostLabel()).orElseThrow().id());

        UUID prodId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(prodId, app.id(), "%%%", EnvironmentRecord.EnvironmentType.PRODUCTION, null,
                EnvironmentStatus.PROVISIONING, null, "1.1.0", null, null, EnvironmentRecord.databaseNameFor(prodId), null, now, now));
        EnvironmentRecord prod = environments.findById(prodId).orElseThrow();
        assertEquals(EnvironmentRecord.EnvironmentAccess.PUBLIC, prod.access());
        assertEquals("my-shop-n-code-with-a-" + prodId.toString().replace("-", "").substring(0, 12), prod.hostLabel(),
                "a name with nothing DNS can carry is left out, not a double hyphen");

        environments.updateAccess(prodId, "MEMBERS", now);
        assertEquals(EnvironmentRecord.EnvironmentAccess.MEMBERS, environments.findById(prodId).orElseThrow().access());
        assertThrows(DataAccessException.class, () -> environments.updateAccess(prodId, "EVERYONE", now));
    }
}
