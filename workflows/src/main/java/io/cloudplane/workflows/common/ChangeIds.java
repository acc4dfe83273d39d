package io.cloudplane.workflows.common;

/**
 * Change IDs for {@code Workflow.getVersion}. Every change to the logic of a workflow that may have
 * running executions goes behind one of these, and the saved histories under
 * src/test/resources/histories keep replaying.
 */
public final class ChangeIds {
    /**
     * The sandbox lifecycle puts a sandbox to sleep with one activity ({@code fallAsleep}) instead of
     * an {@code env-stop} child and two activities: about a fifth of the workflow tasks per sleep,
     * for bursts of sleeps (docs/benchmarks.md).
     */
    public static final String SLEEP_IN_ONE_ACTIVITY = "sleep-in-one-activity";

    /** Deleting an environment also deletes its backups' objects (step {@code delete-backups}). */
    public static final String DELETE_BACKUPS_WITH_ENVIRONMENT = "delete-backups-with-environment";

    /** Deleting an environment also deletes its code objects (step {@code delete-code}). */
    public static final String DELETE_CODE_WITH_ENVIRONMENT = "delete-code-with-environment";

    /** Deleting an application also deletes its releases' objects (step {@code delete-releases}). */
    public static final String DELETE_RELEASES_WITH_APPLICATION = "delete-releases-with-application";

    /** A restart is one {@code restartServer} activity (a rollout restart on Kubernetes) instead of stop, then start. */
    public static final String RESTART_IN_PLACE = "restart-in-place";

    /** Deleting an environment removes what its runtime keeps (step {@code remove-server}: Kubernetes objects by label). */
    public static final String REMOVE_SERVER_WITH_ENVIRONMENT = "remove-server-with-environment";

    /**
     * A sandbox lifecycle started again with {@code deletionBegun} (its run was lost mid-deletion)
     * goes straight to the deletion and the last email.
     */
    public static final String RESUME_SANDBOX_DELETION = "resume-sandbox-deletion";
    /**
     * A sandbox's "was deleted" email goes from the app's deletion, before its record is forgotten,
     * not from the lifecycle after the deletion: a kill between the deletion's end and the email lost
     * the email (the -Pchaos run of issue 12), since nothing of the sandbox was left to carry it on.
     */
    public static final String FAREWELL_BEFORE_FORGET = "farewell-before-forget";

    /**
     * A provisioning can be cancelled ({@code POST /operations/{id}/cancel}): its steps run detached, so a
     * cancel never leaves an activity running behind the clean-up; it is honoured between steps, then
     * everything made is removed, the environment FAILED saying it was cancelled, the operation CANCELLED.
     */
    public static final String CANCELLABLE_PROVISIONING = "cancellable-provisioning";

    /**
     * A manual or scheduled backup can be cancelled: its steps run detached and a cancel is honoured between
     * them; the backup is FAILED saying it was cancelled and what it stored is deleted.
     */
    public static final String CANCELLABLE_BACKUP = "cancellable-backup";

    /**
     * A domain's DNS check can be cancelled: the domain is FAILED saying so, and its workflow continues as new
     * (it lives as long as the domain) to wait for a verify or a removal.
     */
    public static final String CANCELLABLE_DOMAIN_CHECK = "cancellable-domain-check";

    /**
     * A promotion awaiting approval can be cancelled (Update {@code cancel}) by whoever asked for it or the app's
     * owner: it ends CANCELLED at the approval stage, staging keeps what was deployed, production is untouched.
     * A promotion started before this change refuses the cancel (the owner rejects it instead).
     */
    public static final String CANCELLABLE_PROMOTION = "cancellable-promotion";

    private ChangeIds() {
    }
}
