package io.cloudplane.activities.release;

import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.release.ReleaseActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** A release copies the code as SFTP left it: the snapshot asks for the live tree to be captured before it reads the record. */
class ReleaseSnapshotTest {
    private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

    @AfterEach
    void close() {
        env.close();
    }

    @Test
    void theSnapshotCopiesTheObjectOfTheCapturedTree() {
        UUID releaseId = UUID.randomUUID();
        UUID appId = UUID.randomUUID();
        UUID sourceEnvId = UUID.randomUUID();
        ReleaseRepository releases = mock(ReleaseRepository.class);
        when(releases.findById(releaseId)).thenReturn(Optional.of(new ReleaseRecord(releaseId, appId, "r1", null, sourceEnvId, "development",
                ReleaseRecord.Status.CREATING, ReleaseRecord.keyFor(appId, releaseId), null, null, null, null, Instant.now(), null)));
        EnvironmentCode code = mock(EnvironmentCode.class);
        String capturedSha = "c".repeat(64);
        EnvironmentCodeRecord captured = new EnvironmentCodeRecord(sourceEnvId, EnvironmentCodeRecord.keyFor(appId, sourceEnvId, capturedSha),
                capturedSha, 42, null, "u-tree", null, Instant.now());
        when(code.captureTree(appId, sourceEnvId)).thenReturn(Optional.of(captured));
        ObjectStore store = mock(ObjectStore.class);
        when(store.copy(captured.objectKey(), ReleaseRecord.keyFor(appId, releaseId)))
                .thenReturn(new ObjectStore.StoredObject(ReleaseRecord.keyFor(appId, releaseId), 42, capturedSha));
        env.registerActivitiesImplementations(new ReleaseActivitiesImpl(releases, code, () -> store));
        ReleaseActivities activities = env.newActivityStub(ReleaseActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30)).setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());

        activities.snapshot(releaseId.toString());

        verify(code).captureTree(appId, sourceEnvId);
        verify(code, never()).current(sourceEnvId);
        verify(releases).markReady(releaseId, capturedSha, 42);
    }
}
