package io.cloudplane.activities.code;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.app.CloneRecord;
import io.cloudplane.infra.app.CloneRepository;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.code.CodeActivities;
import io.temporal.activity.Activity;
import io.cloudplane.workflows.common.FailureType;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.NoSuchElementException;
import java.util.UUID;

@Singleton
public class CodeActivitiesImpl implements CodeActivities, ControlPlaneActivities {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CodeActivitiesImpl.class);
    private final CloneRepository clones;
    private final OperationRepository operations;
    private final EnvironmentCode code;
    private final Provider<ObjectStore> store;

    public CodeActivitiesImpl(CloneRepository clones, OperationRepository operations, EnvironmentCode code,
                              Provider<ObjectStore> store) {
        this.clones = clones;
        this.operations = operations;
        this.code = code;
        this.store = store;
    }

    @Override
    public void copyCode(String operationId) {
        Clone c = clone(operationId);
        if (store.get().head(c.targetKey()).isPresent()) {
            return;
        }
        ObjectStore.Traffic before = store.get().traffic();
        try {
            var copy = store.get().copy(c.record().objectKey(), c.targetKey());
            ObjectStore.Traffic after = store.get().traffic();
            LOG.info("clone {}: copied {} ({} bytes) to {} inside the store; bytes through this process meanwhile: {}",
                    operationId, c.record().objectKey(), copy.size(), c.targetKey(), after.total() - before.total());
        } catch (NoSuchElementException e) {
            throw FailureType.NOT_FOUND.nonRetryable("the source's code changed after the clone was asked for (" + c.record().objectKey()
                    + " is gone); ask again");
        }
    }

    @Override
    public void installCode(String operationId) {
        Clone c = clone(operationId);
        String tree = "c-" + c.op().id();
        UUID envId = c.op().envId();
        if (code.current(envId).map(r -> r.tree().equals(tree)).orElse(false)) {
            return;
        }
        var context = Activity.getExecutionContext();
        ObjectStore.Traffic before = store.get().traffic();
        try {
            // A process of its own reads the artifact, so that none of its bytes pass through the worker.
            code.fetch(envId, tree, c.targetKey(), c.record().sha256(), () -> context.heartbeat(null));
        } catch (EnvironmentCode.DigestMismatchException e) {
            throw FailureType.DIGEST_MISMATCH.nonRetryable(e.getMessage());
        } catch (CodeArchives.HostileArchiveException e) {
            throw FailureType.INVALID_INPUT.nonRetryable("the source's code is refused: " + e.getMessage());
        }
        LOG.info("clone {}: unpacked {} ({} bytes) into code tree {} by a fetcher process; bytes through this process meanwhile: {}",
                operationId, c.targetKey(), c.record().sizeBytes(), tree, store.get().traffic().total() - before.total());
        code.activate(new EnvironmentCodeRecord(envId, c.targetKey(), c.record().sha256(), c.record().sizeBytes(),
                c.record().sourceReleaseId(), tree, c.op().userId(), Instant.now().truncatedTo(ChronoUnit.MICROS)));
    }

    @Override
    public void deleteCode(String appId, String envId) {
        store.get().deletePrefix(EnvironmentCodeRecord.prefixFor(UUID.fromString(appId), UUID.fromString(envId)));
        code.forget(UUID.fromString(envId));
    }

    private Clone clone(String operationId) {
        UUID id = UUID.fromString(operationId);
        OperationRecord op = operations.findById(id).orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("operation " + operationId + " does not exist"));
        CloneRecord record = clones.findById(id).orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("clone " + operationId + " does not exist"));
        return new Clone(op, record, EnvironmentCodeRecord.keyFor(op.appId(), op.envId(), record.sha256()));
    }

    private record Clone(OperationRecord op, CloneRecord record, String targetKey) {
    }
}
