package io.cloudplane.api.app;

import io.cloudplane.api.environment.EnvironmentServices;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.backup.BackupSchedules;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.app.VisibleApp;
import io.cloudplane.infra.app.VisibleApps;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import io.micronaut.transaction.annotation.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Changes to apps and environments. Each method writes the rows and the Operation that will
 * carry the long part out in one transaction; the caller launches the workflow after commit.
 */
@Singleton
public class AppService {
    private static final Set<OperationType> SERVER_ACTIONS = EnumSet.of(OperationType.STOP_SERVER, OperationType.START_SERVER,
            OperationType.RESTART_SERVER, OperationType.SLEEP_SANDBOX, OperationType.WAKE_SANDBOX);
    private final BackupSchedules backupSchedules;
    public static final String SANDBOX_NAME = "sandbox";
    private final AppRepository apps;
    private final AppMemberRepository members;
    private final EnvironmentRepository environments;
    private final OperationRepository operations;
    private final ServerCatalog catalog;

    private final io.cloudplane.infra.environment.EnvironmentLocks locks;
    private final io.cloudplane.infra.server.ServerUpdateRepository serverUpdates;
    private final VisibleApps visibleApps;

    public AppService(AppRepository apps, AppMemberRepository members, EnvironmentRepository environments,
                      OperationRepository operations, ServerCatalog catalog,
                      BackupSchedules backupSchedules, io.cloudplane.infra.environment.EnvironmentLocks locks,
                      io.cloudplane.infra.server.ServerUpdateRepository serverUpdates, VisibleApps visibleApps) {
        this.serverUpdates = serverUpdates;
        this.visibleApps = visibleApps;
        this.backupSchedules = backupSchedules;
        this.locks = locks;
        this.apps = apps;
        this.members = members;
        this.environments = environments;
        this.operations = operations;
        this.catalog = catalog;
    }

    /**
     * The apps the user is the owner or a developer of, each with that role, in one query whatever
     * their number. An end user of an environment does not see its app in the control plane's list.
     */
    public List<Access> visibleTo(UUID userId) {
        List<VisibleApp> visible = visibleApps.of(userId);
        List<Access> result = new ArrayList<>(visible.size());
        for (VisibleApp app : visible) {
            result.add(new Access(app.app(), app.memberRole() == AppMemberRecord.Role.OWNER ? Access.Role.OWNER : Access.Role.DEVELOPER,
                    Set.of()));
        }
        return result;
    }

    /** Whether the user owns no sandbox (an end user's account, made through a user invitation). */
    public boolean ownsNoSandbox(UUID userId) {
        return apps.findSandboxOf(userId).isEmpty();
    }

    /** Creates an app with its development environment; returns the provisioning operation. */
    @Transactional
    public OperationRecord createApp(UUID ownerId, String name, AppRecord.AppKind kind) {
        if (apps.existsByOwnerAndName(ownerId, name)) {
            throw ApiException.conflict("You already have an app named '" + name + "'");
        }
        Instant now = now();
        AppRecord app = new AppRecord(UUID.randomUUID(), ownerId, name, kind, AppRecord.AppStatus.ACTIVE, now, now);
        try {
            apps.save(app);
        } catch (DataAccessException e) {
            throw ApiException.conflict(kind == AppRecord.AppKind.SANDBOX ? "You already have a sandbox"
                    : "You already have an app named '" + name + "'");
        }
        members.save(AppMemberRecord.of(app.id(), ownerId, AppMemberRecord.Role.OWNER));
        return addEnvironment(app, ownerId, "development", EnvironmentType.DEVELOPMENT, null);
    }

    /**
     * Creates an application owned by {@code ownerId} whose development environment a clone
     * workflow provisions; returns its CLONE_APPLICATION operation.
     */
    @Transactional
    public OperationRecord createClone(UUID ownerId, String name) {
        if (apps.existsByOwnerAndName(ownerId, name)) {
            throw ApiException.conflict("You already have an app named '" + name + "'");
        }
        Instant now = now();
        AppRecord app = new AppRecord(UUID.randomUUID(), ownerId, name, AppRecord.AppKind.APPLICATION, AppRecord.AppStatus.ACTIVE,
                now, now);
        try {
            apps.save(app);
        } catch (DataAccessException e) {
            throw ApiException.conflict("You already have an app named '" + name + "'");
        }
        members.save(AppMemberRecord.of(app.id(), ownerId, AppMemberRecord.Role.OWNER));
        UUID envId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(envId, app.id(), "development", EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.PROVISIONING, null, catalog.defaultVersion().version(), null, null,
                EnvironmentRecord.databaseNameFor(envId), null, now, now));
        return insertOperation(OperationType.CLONE_APPLICATION, app.id(), envId, ownerId);
    }

    /** A release's snapshot: an operation on its source environment, whose ID is the release's. */
    @Transactional
    public OperationRecord releaseOperation(Access access, UUID callerId, EnvironmentRecord source, UUID releaseId) {
        requireActive(access.app());
        return insertOperation(releaseId, OperationType.CREATE_RELEASE, access.app().id(), source.id(), callerId);
    }

    @Transactional
    public OperationRecord createEnvironment(Access access, UUID callerId, String name, EnvironmentType type, String description) {
        AppRecord app = access.app();
        if (app.kind() == AppRecord.AppKind.SANDBOX) {
            throw ApiException.unprocessable("A sandbox has a development environment only; clone it into an application to add "
                    + type.name().toLowerCase() + " environments");
        }
        requireActive(app);
        if (environments.existsByAppAndName(app.id(), name)) {
            throw ApiException.conflict("This app already has an environment named '" + name + "'");
        }
        return addEnvironment(app, callerId, name, type, description);
    }

    @Transactional
    public OperationRecord deleteEnvironment(Access access, UUID callerId, EnvironmentRecord env) {
        if (access.app().kind() == AppRecord.AppKind.SANDBOX) {
            throw ApiException.unprocessable("A sandbox's development environment is deleted only with the sandbox");
        }
        requireActive(access.app());
        return insertOperation(OperationType.DELETE_ENVIRONMENT, access.app().id(), env.id(), callerId);
    }

    /** A restore of a backup into the environment: an operation, so that nothing else runs on it meanwhile. */
    @Transactional
    public OperationRecord restoreOperation(Access access, UUID callerId, EnvironmentRecord env) {
        requireActive(access.app());
        return insertOperation(OperationType.RESTORE_ENVIRONMENT, access.app().id(), env.id(), callerId);
    }

    /** A stop, start or restart of the environment's server. */
    @Transactional
    public OperationRecord serverAction(Access access, UUID callerId, EnvironmentRecord env, OperationType type) {
        requireActive(access.app());
        if (!SERVER_ACTIONS.contains(type)) {
            throw new IllegalArgumentException(type + " is not a server action");
        }
        if (env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING) {
            throw ApiException.conflict("The environment is " + env.status() + "; try again when it is done");
        }
        return insertOperation(type, access.app().id(), env.id(), callerId);
    }

    /** An update of the environment's server to {@code toVersion}: the operation and its server_updates row, together. */
    @Transactional
    public OperationRecord updateServer(Access access, UUID callerId, EnvironmentRecord env, String toVersion, boolean downgrade) {
        requireActive(access.app());
        if (env.status() != EnvironmentStatus.RUNNING) {
            throw ApiException.conflict("The environment is " + env.status() + "; a server is updated while it runs"
                    + (env.status() == EnvironmentStatus.STOPPED ? " (start it first)" : ""));
        }
        UUID id = UUID.randomUUID();
        OperationRecord op = insertOperation(id, OperationType.UPDATE_SERVER, access.app().id(), env.id(), callerId);
        serverUpdates.save(io.cloudplane.infra.server.ServerUpdateRecord.pending(id, access.app().id(), env.id(),
                env.serverVersion(), toVersion, downgrade, callerId, now()));
        return op;
    }

    /** The wake operation of a sleeping sandbox; its lifecycle workflow carries it out. */
    @Transactional
    public OperationRecord wakeSandbox(Access access, UUID callerId) {
        if (access.app().kind() != AppRecord.AppKind.SANDBOX) {
            throw ApiException.unprocessable("Only a sandbox sleeps and wakes; use start for an application's environments");
        }
        EnvironmentRecord env = environments.findByAppId(access.app().id()).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("The sandbox's environment"));
        if (env.status() != EnvironmentStatus.SLEEPING) {
            throw ApiException.conflict("The sandbox is not asleep (it is " + env.status() + ")");
        }
        return insertOperation(OperationType.WAKE_SANDBOX, access.app().id(), env.id(), callerId);
    }

    @Transactional
    public OperationRecord deleteApp(Access access, UUID callerId) {
        AppRecord app = access.app();
        if (app.kind() == AppRecord.AppKind.SANDBOX) {
            throw ApiException.unprocessable("A sandbox is deleted by its lifecycle, not by request");
        }
        operations.findActiveForApp(app.id()).ifPresent(op -> {
            throw ApiException.busy("Operation " + op.id() + " (" + op.type() + ") is running on this app", op.id().toString());
        });
        OperationRecord op = insertOperation(OperationType.DELETE_APPLICATION, app.id(), null, callerId);
        apps.updateStatus(app.id(), AppRecord.AppStatus.DELETING, now());
        return op;
    }

    private OperationRecord addEnvironment(AppRecord app, UUID callerId, String name, EnvironmentType type, String description) {
        Instant now = now();
        UUID envId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(envId, app.id(), name, type, description, EnvironmentStatus.PROVISIONING, null,
                catalog.defaultVersion().version(), null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        if (EnvironmentServices.of(type).backups()) {
            backupSchedules.createDefault(envId);
        }
        return insertOperation(OperationType.PROVISION_ENVIRONMENT, app.id(), envId, callerId);
    }

    private OperationRecord insertOperation(OperationType type, UUID appId, UUID envId, UUID callerId) {
        return insertOperation(UUID.randomUUID(), type, appId, envId, callerId);
    }

    /** Writes the PENDING operation, under its kind's workflow ID, once no other holds the environment (or the app). */
    private OperationRecord insertOperation(UUID id, OperationType type, UUID appId, UUID envId, UUID callerId) {
        if (envId != null) {
            if (!locks.tryShareForOperation(envId)) {
                throw ApiException.conflict("Code is being uploaded to this environment; try again when it is done");
            }
            operations.findActiveForEnvironment(envId).ifPresent(op -> {
                throw ApiException.busy("Operation " + op.id() + " (" + op.type() + ") is running on this environment",
                        op.id().toString());
            });
        }
        Instant now = now();
        try {
            return operations.save(OperationRecord.pending(id, type, appId, envId, callerId, now));
        } catch (DataAccessException e) {
            // Lost a race with a concurrent request: the unique index allows one unfinished operation.
            throw ApiException.conflict("Another operation started on this " + (envId == null ? "app" : "environment") + " just now");
        }
    }

    public static void requireActive(AppRecord app) {
        if (app.status() == AppRecord.AppStatus.DELETING) {
            throw ApiException.conflict("This app is being deleted");
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
