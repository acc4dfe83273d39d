package io.cloudplane.workflows.common;

/**
 * Workflow IDs are business keys, so that a repeated API call cannot start a second run. Operators
 * find an app's history in Temporal's UI by these IDs.
 */
public final class WorkflowIds {
    private WorkflowIds() {
    }

    public static String provisionEnvironment(String envId) {
        return "env-provision/" + envId;
    }

    public static String deleteEnvironment(String envId) {
        return "env-delete/" + envId;
    }

    public static String stopServer(String envId) {
        return "env-stop/" + envId;
    }

    public static String startServer(String envId) {
        return "env-start/" + envId;
    }

    public static String restartServer(String envId) {
        return "env-restart/" + envId;
    }

    public static String restore(String operationId) {
        return "restore/" + operationId;
    }

    public static String backup(String backupId) {
        return "backup/" + backupId;
    }

    public static String updateServer(String envId) {
        return "env-update/" + envId;
    }

    public static String sandboxLifecycle(String appId) {
        return "sandbox-lifecycle/" + appId;
    }

    public static String deleteApplication(String appId) {
        return "app-delete/" + appId;
    }

    public static String createRelease(String releaseId) {
        return "release-create/" + releaseId;
    }

    public static String deploy(String deploymentId) {
        return "deploy/" + deploymentId;
    }

    public static String promotion(String promotionId) {
        return "promotion/" + promotionId;
    }

    public static String cloneApplication(String newAppId) {
        return "app-clone/" + newAppId;
    }

    /** A person's membership declarations of one app: one workflow per person and app. */
    public static String membershipSync(String appId, String userId) {
        return "membership-sync/" + appId + "/" + userId;
    }

    /** An invitation's expiry and emails: one workflow per invitation. */
    public static String invitation(String invitationId) {
        return "invitation/" + invitationId;
    }

    /** A custom domain's verification, certificate and renewals: one workflow per domain, for its life. */
    public static String domain(String domainId) {
        return "domain/" + domainId;
    }
}
