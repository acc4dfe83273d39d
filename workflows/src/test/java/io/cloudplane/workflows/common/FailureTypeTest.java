package io.cloudplane.workflows.common;

import io.cloudplane.workflows.backup.BackupStep;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTypeTest {

    /** Saved histories and retry policies hold these strings: a change here is a breaking change, not a rename. */
    @Test
    void theTypeStringsAreTheOnesInSavedHistoriesAndRetryPolicies() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("NOT_FOUND", "NotFound");
        expected.put("INVALID_INPUT", "InvalidInput");
        expected.put("DIGEST_MISMATCH", "DigestMismatch");
        expected.put("HOSTILE_ARCHIVE", "HostileArchive");
        expected.put("ENVIRONMENT_BUSY", "EnvironmentBusy");
        expected.put("RELEASE_NOT_RUNNING", "ReleaseNotRunning");
        expected.put("RESTORE_MISMATCH", "RestoreMismatch");
        expected.put("FILES", "Files");
        expected.put("UNHEALTHY", "Unhealthy");
        expected.put("SERVER_EXITED", "ServerExited");
        expected.put("DUMPING", "DUMPING");
        expected.put("UPLOADING", "UPLOADING");
        expected.put("VERIFYING", "VERIFYING");
        expected.put("CERTIFICATE_REFUSED", "CertificateRefused");
        expected.put("PROVISIONING_FAILED", "ProvisioningFailed");
        expected.put("SERVER_ACTION_FAILED", "ServerActionFailed");
        expected.put("UPDATE_FAILED", "UpdateFailed");
        expected.put("BACKUP_FAILED", "BackupFailed");
        expected.put("VERIFICATION_FAILED", "VerificationFailed");
        expected.put("RESTORE_FAILED", "RestoreFailed");
        expected.put("RELEASE_FAILED", "ReleaseFailed");
        expected.put("DEPLOY_FAILED", "DeployFailed");
        expected.put("PROMOTION_FAILED", "PromotionFailed");
        expected.put("CLONE_FAILED", "CloneFailed");
        Map<String, String> actual = Arrays.stream(FailureType.values())
                .collect(Collectors.toMap(Enum::name, FailureType::type, (a, b) -> a, LinkedHashMap::new));
        assertEquals(expected, actual);
    }

    @Test
    void aBackupStepsFailuresCarryTheStepsName() {
        for (BackupStep step : BackupStep.values()) {
            assertEquals(step.name(), step.failureType().type());
        }
    }

    @Test
    void buildsFailuresOfItsTypeRetryableOrNot() {
        IOException cause = new IOException("disk full");

        ApplicationFailure retryable = FailureType.UNHEALTHY.retryable("not healthy within 30s");
        assertEquals("Unhealthy", retryable.getType());
        assertEquals("not healthy within 30s", retryable.getOriginalMessage());
        assertFalse(retryable.isNonRetryable());

        ApplicationFailure retryableWithCause = FailureType.FILES.retryable("restoring failed", cause);
        assertEquals("Files", retryableWithCause.getType());
        assertFalse(retryableWithCause.isNonRetryable());
        assertSame(cause, retryableWithCause.getCause());

        ApplicationFailure nonRetryable = FailureType.NOT_FOUND.nonRetryable("backup b1 does not exist");
        assertEquals("NotFound", nonRetryable.getType());
        assertEquals("backup b1 does not exist", nonRetryable.getOriginalMessage());
        assertTrue(nonRetryable.isNonRetryable());

        ApplicationFailure nonRetryableWithCause = FailureType.DEPLOY_FAILED.nonRetryable("deployment d1 failed", cause);
        assertEquals("DeployFailed", nonRetryableWithCause.getType());
        assertTrue(nonRetryableWithCause.isNonRetryable());
        assertSame(cause, nonRetryableWithCause.getCause());
    }

    @Test
    void tellsACaughtFailureOfItsType() {
        assertTrue(FailureType.UPLOADING.is(ApplicationFailure.newFailure("S3 is gone", "UPLOADING")));
        assertFalse(FailureType.DUMPING.is(ApplicationFailure.newFailure("S3 is gone", "UPLOADING")));
        assertFalse(FailureType.NOT_FOUND.is(new IllegalStateException("NotFound")));
        assertFalse(FailureType.NOT_FOUND.is(null));
    }

    @Test
    void namesTheTypesForARetryPolicy() {
        assertArrayEquals(new String[] {"NotFound", "InvalidInput", "DigestMismatch"},
                FailureType.types(FailureType.NOT_FOUND, FailureType.INVALID_INPUT, FailureType.DIGEST_MISMATCH));
    }
}
