package io.cloudplane.api.backup;

import io.cloudplane.api.security.Access;
import io.cloudplane.api.app.AppService;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.backup.RestoreRecord;
import io.cloudplane.infra.backup.RestoreRepository;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Records a restore in one transaction: its operation, its safety backup (PENDING) and what it restores. */
@Singleton
public class RestoreService {
    private final AppService apps;
    private final BackupRepository backups;
    private final RestoreRepository restores;

    public RestoreService(AppService apps, BackupRepository backups, RestoreRepository restores) {
        this.apps = apps;
        this.backups = backups;
        this.restores = restores;
    }

    @Transactional
    public OperationRecord record(Access access, UUID caller, EnvironmentRecord env, UUID backupId) {
        OperationRecord op = apps.restoreOperation(access, caller, env);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID safetyId = UUID.randomUUID();
        backups.save(BackupRecord.pending(safetyId, env.appId(), env.id(), BackupRecord.Trigger.SAFETY, caller, null, now));
        restores.save(new RestoreRecord(op.id(), backupId, safetyId, now));
        return op;
    }
}
