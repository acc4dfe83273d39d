package io.cloudplane.activities.release;

import io.cloudplane.workflows.common.FailureType;
import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.release.ReleaseActivities;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

import java.util.NoSuchElementException;
import java.util.UUID;

@Singleton
public class ReleaseActivitiesImpl implements ReleaseActivities, ControlPlaneActivities {
    private final ReleaseRepository releases;
    private final EnvironmentCode code;
    private final Provider<ObjectStore> store;

    public ReleaseActivitiesImpl(ReleaseRepository releases, EnvironmentCode code, Provider<ObjectStore> store) {
        this.releases = releases;
        this.code = code;
        this.store = store;
    }

    @Override
    public void snapshot(String releaseId) {
        ReleaseRecord release = releases.findById(UUID.fromString(releaseId))
                .orElseThrow(() -> FailureType.NOT_FOUND.nonRetryable("release " + releaseId + " does not exist"));
        if (release.status() == ReleaseRecord.Status.READY) {
            return;
        }
        // Read at each attempt: a new upload replaces the source's object, and the retry copies the new one.
        // The tree as SFTP left it is packed first, if it changed since its object was stored.
        EnvironmentCodeRecord source = code.captureTree(release.appId(), release.sourceEnvId())
                .orElseThrow(() -> FailureType.INVALID_INPUT.nonRetryable("the environment " + release.sourceEnvName() + " has no code to release"));
        ObjectStore.StoredObject copy;
        try {
            copy = store.get().copy(source.objectKey(), release.objectKey());
        } catch (NoSuchElementException e) {
            throw new IllegalStateException("the source code changed while it was copied; retrying", e);
        }
        if (copy.size() != source.sizeBytes()) {
            throw new IllegalStateException("the copy of " + source.objectKey() + " has " + copy.size() + " bytes, not "
                    + source.sizeBytes());
        }
        releases.markReady(release.id(), source.sha256(), copy.size());
    }

    @Override
    public void markFailed(String releaseId, String reason) {
        UUID id = UUID.fromString(releaseId);
        // Only a release still being created is failed; a READY one (its snapshot committed late) keeps its artifact.
        if (releases.markFailed(id, reason) == 1 || releases.findById(id).map(r -> r.status() == ReleaseRecord.Status.FAILED).orElse(false)) {
            releases.findById(id).ifPresent(r -> store.get().deletePrefix(r.objectKey()));
        }
    }

    @Override
    public void deleteAppReleases(String appId) {
        store.get().deletePrefix("releases/" + UUID.fromString(appId) + "/");
    }

}
