package io.cloudplane.activities.release;

import io.cloudplane.activities.environment.EnvironmentLookup;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.release.DeploymentLedger;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.release.DeploymentActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import jakarta.inject.Provider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Found by the crash harness: a deployment whose run was ended by a crash after its code was swapped
 * in is run again from the start after the restart, and its stage step then failed with "code tree …
 * is the one environment … runs", which failed the deployment (and the promotion it belonged to).
 */
class DeploymentStageTest {
    private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

    @AfterEach
    void close() {
        env.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStageRunAgainAfterTheSwapFindsItsTreeInPlaceAndLeavesIt() {
        UUID id = UUID.randomUUID();
        UUID envId = UUID.randomUUID();
        DeploymentRepository deployments = mock(DeploymentRepository.class);
        when(deployments.findById(id)).thenReturn(Optional.of(
                DeploymentRecord.pending(id, UUID.randomUUID(), envId, UUID.randomUUID(), null, false, null, Instant.now())));
        EnvironmentFiles files = mock(EnvironmentFiles.class);
        when(files.currentCodeTree(envId.toString())).thenReturn(DeploymentRecord.treeFor(id));
        EnvironmentCode code = mock(EnvironmentCode.class);
        env.registerActivitiesImplementations(new DeploymentActivitiesImpl(deployments, mock(ReleaseRepository.class),
                mock(BackupRepository.class), mock(EnvironmentLookup.class), code, files, mock(Provider.class),
                mock(DeploymentLedger.class)));
        DeploymentActivities activities = env.newActivityStub(DeploymentActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30)).setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());

        activities.stage(id.toString());

        verify(code, never()).unpack(any(), anyString(), anyString(), anyString(), any());
        verify(files, never()).prepareCodeTree(anyString(), anyString());
    }
}
