package io.cloudplane.workflows.common;

import io.temporal.failure.ApplicationFailure;

import java.util.Arrays;

/**
 * Every type of {@link ApplicationFailure} that Cloudplane raises, and the only place that spells
 * one. A type string is part of the saved workflow histories and of the retry policies'
 * non-retryable lists: never change one; add a new type instead.
 */
public enum FailureType {
    // Raised by activities; the workflows' retry policies and catch blocks decide on them.

    /** What the activity was asked about does not exist: retrying cannot make it appear. */
    NOT_FOUND("NotFound"),
    /** The request cannot be carried out as it stands: retrying cannot fix it. */
    INVALID_INPUT("InvalidInput"),
    /** Stored code does not match its recorded SHA-256. */
    DIGEST_MISMATCH("DigestMismatch"),
    /** A release's archive is refused (unsafe paths, links, sizes). */
    HOSTILE_ARCHIVE("HostileArchive"),
    /** Another operation holds the environment. */
    ENVIRONMENT_BUSY("EnvironmentBusy"),
    /** Staging no longer runs the release a promotion approved. */
    RELEASE_NOT_RUNNING("ReleaseNotRunning"),
    /** A restored backup does not match its manifest. */
    RESTORE_MISMATCH("RestoreMismatch"),
    /** A restore could not put the backup's resource files in place. */
    FILES("Files"),
    /** A server did not become healthy in time; it may still. */
    UNHEALTHY("Unhealthy"),
    /** A server's process exited while it was awaited. */
    SERVER_EXITED("ServerExited"),
    /** A backup failed in pg_dump, whatever step was running: the name of {@code BackupStep.DUMPING}. */
    DUMPING("DUMPING"),
    /** A backup failed in object storage, whatever step was running: the name of {@code BackupStep.UPLOADING}. */
    UPLOADING("UPLOADING"),
    /** A backup's verification could not be carried out: the name of {@code BackupStep.VERIFYING}. */
    VERIFYING("VERIFYING"),
    /** A certificate authority refused to issue a domain's certificate (its own words in the message). */
    CERTIFICATE_REFUSED("CertificateRefused"),

    // A workflow's own failure, as operators see it in Temporal's UI.

    PROVISIONING_FAILED("ProvisioningFailed"),
    SERVER_ACTION_FAILED("ServerActionFailed"),
    UPDATE_FAILED("UpdateFailed"),
    BACKUP_FAILED("BackupFailed"),
    /** A backup was stored but did not restore to what was dumped. */
    VERIFICATION_FAILED("VerificationFailed"),
    RESTORE_FAILED("RestoreFailed"),
    RELEASE_FAILED("ReleaseFailed"),
    DEPLOY_FAILED("DeployFailed"),
    PROMOTION_FAILED("PromotionFailed"),
    CLONE_FAILED("CloneFailed");

    private final String type;

    FailureType(String type) {
        this.type = type;
    }

    /** The type string an {@link ApplicationFailure} carries. */
    public String type() {
        return type;
    }

    /** A failure of this type that the activity's retry policy decides on (retried unless the policy lists the type). */
    public ApplicationFailure retryable(String message) {
        return ApplicationFailure.newFailure(message, type);
    }

    public ApplicationFailure retryable(String message, Throwable cause) {
        return ApplicationFailure.newFailureWithCause(message, type, cause);
    }

    /** A failure of this type that is never retried, whatever the retry policy says. */
    public ApplicationFailure nonRetryable(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, type);
    }

    public ApplicationFailure nonRetryable(String message, Throwable cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(message, type, cause);
    }

    /** Whether {@code failure} itself (not one of its causes) is an {@link ApplicationFailure} of this type. */
    public boolean is(Throwable failure) {
        return failure instanceof ApplicationFailure app && type.equals(app.getType());
    }

    /** The type strings of {@code types}, for {@code RetryOptions.Builder.setDoNotRetry}. */
    public static String[] types(FailureType... types) {
        return Arrays.stream(types).map(FailureType::type).toArray(String[]::new);
    }
}
