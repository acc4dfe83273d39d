package io.cloudplane.activities.release;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.release.DeploymentLedger;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.release.DeployPlan;
import io.cloudplane.workflows.release.DeploymentActivities;
import io.cloudplane.workflows.release.PrepareDeployment;
import io.temporal.activity.Activity;
import io.cloudplane.workflows.common.FailureType;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

@Singleton
public class DeploymentActivitiesImpl implements DeploymentActivities, ControlPlaneActivities {
    private final DeploymentRepository deployments;
    private final ReleaseRepository releases;
    private final BackupRepository backups;
    private final EnvironmentLookup lookup;
    private final EnvironmentCode code;
    private final EnvironmentFiles files;
    private final Provider<ObjectStore> store;
    private final DeploymentLedger ledger;

    public DeploymentActivitiesImpl(DeploymentRepository deployments, ReleaseRepository releases, BackupRepository backups,
                                    EnvironmentLookup lookup, EnvironmentCode code, EnvironmentFiles files,
                                    Provider<ObjectStore> store, DeploymentLedger ledger) {
        this.deployments = deployments;
        this.releases = releases;
        this.backups = backups;
        this.lookup = lookup;
        this.code = code;
        this.files = files;
        this.store = store;
        this.ledger = ledger;
    }

    @Override
    public void prepare(PrepareDeployment request) {
        try {
            ledger.create(UUID.fromString(request.deploymentId()), UUID.fromString(request.appId()),
                    UUID.fromString(request.envId()), UUID.fromString(request.releaseId()),
                    request.promotionId() == null ? null : UUID.fromString(request.promotionId()), false,
                    request.requestedBy() == null ? null : UUID.fromString(request.requestedBy()));
        } catch (DeploymentLedger.ReleaseGoneException gone) {
            throw FailureType.NOT_FOUND.nonRetryable(gone.getMessage());
        } catch (DeploymentLedger.EnvironmentBusyException busy) {
            throw FailureType.ENVIRONMENT_BUSY.nonRetryable("the environment is busy: " + busy.getMessage());
        }
    }

    @Override
    public void requireRunning(String envId, String releaseId) {
        UUID running = code.current(UUID.fromString(envId)).map(EnvironmentCodeRecord::releaseId).orElse(null);
        if (running == null || !running.toString().equals(releaseId)) {
            String name = releases.findById(UUID.fromString(releaseId)).map(ReleaseRecord::name).orElse(releaseId);
            throw FailureType.RELEASE_NOT_RUNNING.nonRetryable("staging no longer runs release " + name + " (it runs "
                    + (running == null ? "uploaded code" : releases.findById(running).map(ReleaseRecord::name).orElse(running.toString()))
                    + "); promote again");
        }
    }

    @Override
    public DeployPlan begin(String deploymentId) {
        DeploymentRecord d = require(deploymentId);
        EnvironmentRecord env = lookup.require(d.envId().toString());
        ReleaseRecord release = release(d);
        if (d.status() == DeploymentRecord.Status.PENDING) {
            EnvironmentCodeRecord current = code.current(d.envId()).orElse(null);
            String tree = files.currentCodeTree(d.envId().toString());
            if (tree == null) {
                throw FailureType.INVALID_INPUT.nonRetryable("environment " + d.envId() + " has no folders: it was never provisioned");
            }
            deployments.begin(d.id(), current == null ? null : current.releaseId(), current == null ? null : current.objectKey(),
                    current == null ? null : current.sha256(), current == null ? null : current.sizeBytes(), tree,
                    env.status(), now());
            d = require(deploymentId);
        }
        EnvironmentStatus previous = d.previousStatus();
        boolean alreadyCurrent = release.sha256().equals(d.previousSha256()) && previous == EnvironmentStatus.RUNNING;
        String safetyId = null;
        if (env.type().hasBackups() && !alreadyCurrent) {
            UUID id = UUID.nameUUIDFromBytes(("safety-backup/" + deploymentId).getBytes(StandardCharsets.UTF_8));
            if (!backups.existsById(id)) {
                backups.save(BackupRecord.pending(id, d.appId(), d.envId(), BackupRecord.Trigger.SAFETY, d.deployedBy(), null,
                        now()));
            }
            deployments.recordSafetyBackup(d.id(), id);
            safetyId = id.toString();
        }
        return new DeployPlan(safetyId, alreadyCurrent, previous);
    }

    @Override
    public void stage(String deploymentId) {
        DeploymentRecord d = require(deploymentId);
        if (DeploymentRecord.treeFor(d.id()).equals(files.currentCodeTree(d.envId().toString()))) {
            // Staged and swapped in by a run that a crash ended: the deployment goes on from here.
            return;
        }
        ReleaseRecord release = release(d);
        var context = Activity.getExecutionContext();
        try {
            code.unpack(d.envId(), DeploymentRecord.treeFor(d.id()), release.objectKey(), release.sha256(),
                    () -> context.heartbeat(null));
        } catch (EnvironmentCode.DigestMismatchException e) {
            throw FailureType.DIGEST_MISMATCH.nonRetryable(e.getMessage());
        } catch (CodeArchives.HostileArchiveException e) {
            throw FailureType.HOSTILE_ARCHIVE.nonRetryable("the release's artifact is refused: " + e.getMessage());
        }
    }

    @Override
    public void activate(String deploymentId) {
        DeploymentRecord d = require(deploymentId);
        ReleaseRecord release = release(d);
        String key = EnvironmentCodeRecord.keyFor(d.appId(), d.envId(), release.sha256());
        if (store.get().head(key).isEmpty()) {
            store.get().copy(release.objectKey(), key);
        }
        code.activate(new EnvironmentCodeRecord(d.envId(), key, release.sha256(), release.sizeBytes(), release.id(),
                DeploymentRecord.treeFor(d.id()), d.deployedBy(), now()));
    }

    @Override
    public void revertCode(String deploymentId) {
        DeploymentRecord d = require(deploymentId);
        if (d.previousTree() == null) {
            return; // never began, so nothing was swapped
        }
        EnvironmentCodeRecord previous;
        if (d.previousObjectKey() != null) {
            previous = new EnvironmentCodeRecord(d.envId(), d.previousObjectKey(), d.previousSha256(), d.previousSizeBytes(),
                    d.previousReleaseId(), d.previousTree(), null, now());
            code.activate(previous);
        } else {
            files.activateCodeTree(d.envId().toString(), d.previousTree());
            code.forget(d.envId());
            previous = new EnvironmentCodeRecord(d.envId(), "", "", 0, null, d.previousTree(), null, now());
        }
        ReleaseRecord release = release(d);
        code.discard(d.envId(), DeploymentRecord.treeFor(d.id()),
                EnvironmentCodeRecord.keyFor(d.appId(), d.envId(), release.sha256()), previous);
    }

    @Override
    public void markDataRestored(String deploymentId) {
        deployments.markDataRestored(UUID.fromString(deploymentId));
    }

    @Override
    public void finish(String deploymentId, boolean succeeded, String error) {
        DeploymentRecord d = require(deploymentId);
        deployments.finish(d.id(), succeeded ? DeploymentRecord.Status.SUCCEEDED : DeploymentRecord.Status.FAILED, error, now());
        EnvironmentCodeRecord current = code.current(d.envId()).orElse(null);
        String currentTree = files.currentCodeTree(d.envId().toString());
        if (currentTree == null) {
            return;
        }
        EnvironmentCodeRecord keep = current != null ? current
                : new EnvironmentCodeRecord(d.envId(), "", "", 0, null, currentTree, null, now());
        if (succeeded) {
            ReleaseRecord release = releases.findById(d.releaseId()).orElse(null);
            if (current != null && release != null && current.sha256().equals(release.sha256())
                    && !release.id().equals(current.releaseId())) {
                // A deployment of exactly the code the environment ran (a no-op): it now runs this release.
                code.activate(new EnvironmentCodeRecord(current.envId(), current.objectKey(), current.sha256(),
                        current.sizeBytes(), release.id(), current.tree(), d.deployedBy(), now()));
            }
            code.discard(d.envId(), d.previousTree(), d.previousObjectKey(), keep);
        } else {
            code.discard(d.envId(), DeploymentRecord.treeFor(d.id()), null, keep);
        }
    }

    private DeploymentRecord require(String deploymentId) {
        return deployments.findById(UUID.fromString(deploymentId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("deployment " + deploymentId + " does not exist"));
    }

    private ReleaseRecord release(DeploymentRecord d) {
        ReleaseRecord release = releases.findById(d.releaseId())
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("release " + d.releaseId() + " does not exist"));
        if (release.status() != ReleaseRecord.Status.READY) {
            throw FailureType.INVALID_INPUT.nonRetryable("release " + release.name() + " is " + release.status() + ", not READY");
        }
        return release;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
