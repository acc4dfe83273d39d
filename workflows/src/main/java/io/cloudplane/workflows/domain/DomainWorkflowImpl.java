package io.cloudplane.workflows.domain;

import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.ChangeIds;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

import java.time.Duration;

public class DomainWorkflowImpl implements DomainWorkflow {
    /**
     * The longest sleep before the row is read again: a domain deleted with its environment or app
     * (a cascade, no signal) is noticed, and its route withdrawn, within a day.
     */
    static final Duration ROW_CHECK_EVERY = Duration.ofDays(1);
    /** A failing renewal is tried again after 5 minutes, then doubling up to 6 hours. */
    static final Duration RENEWAL_RETRY_MIN = Duration.ofMinutes(5);
    static final Duration RENEWAL_RETRY_MAX = Duration.ofHours(6);

    private final DomainActivities activities = Activities.domains();
    private final DomainActivities issuance = Activities.domainIssuance();
    private final DomainActivities renewal = Activities.domainRenewal();

    private DomainInput input;
    private int verifyRequests;
    private int verifyHandled;
    private int uploads;
    private int uploadsHandled;
    private boolean removed;
    /** While the DNS is checked: what a cancel stops. */
    private boolean verifying;
    static final String CHECK_CANCELLED = "The DNS check was cancelled on request: ask to verify again to start a fresh one";

    /**
     * From change {@code cancellable-domain-check}, a cancel of the workflow stops the DNS check, not the domain:
     * while it checks, the domain is FAILED saying the check was cancelled; then its life goes on in a detached scope,
     * so the domain keeps its workflow, which waits for a verify or a removal.
     */
    @Override
    public void run(DomainInput input) {
        this.input = input;
        if (Workflow.getVersion(ChangeIds.CANCELLABLE_DOMAIN_CHECK, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            lifetime();
            return;
        }
        try {
            lifetime();
        } catch (TemporalFailure failure) {
            if (!CancellationScope.current().isCancelRequested()) {
                throw failure;
            }
            if (verifying) {
                Workflow.newDetachedCancellationScope(() -> activities.fail(input.domainId(), CHECK_CANCELLED)).run();
            }
            // The domain keeps its workflow: the rest of its life runs out of the cancel's reach (a continue-as-new
            // would be reported as the cancel). A later continue-as-new of this run ends it cancelled, and
            // DomainRecovery starts the domain's workflow again from its row.
            Workflow.newDetachedCancellationScope(this::lifetime).run();
        }
    }

    private void lifetime() {
        DomainState state = activities.load(input.domainId());
        while (true) {
            if (removed || !state.exists()) {
                activities.withdraw(input.envId(), input.domainId(), input.hostname());
                return;
            }
            if (state.hasCertificate()) {
                serve(state);
                return;
            }
            state = switch (state.status()) {
                case FAILED -> afterFailure();
                case PENDING_VERIFICATION -> verify();
                default -> input.acme() ? issue() : awaitUpload(); // VERIFIED, or an ISSUING cut short
            };
        }
    }

    /** Checks the DNS with back-off until it is right, or FAILED once the verification timeout has passed. */
    private DomainState verify() {
        verifying = true; // left true when a cancel interrupts the check: run() reads it
        DomainState after = checkUntilVerified();
        verifying = false;
        return after;
    }

    private DomainState checkUntilVerified() {
        long began = Workflow.currentTimeMillis();
        long interval = input.checkIntervalMinMs();
        while (true) {
            verifyHandled = verifyRequests;
            DnsCheck check = activities.checkDns(input.domainId(), input.gatewayHost());
            if (!check.exists()) {
                return DomainState.gone();
            }
            if (check.verified()) {
                return activities.load(input.domainId());
            }
            long left = began + input.verificationTimeoutMs() - Workflow.currentTimeMillis();
            if (left <= 0) {
                activities.fail(input.domainId(), check.result());
                return activities.load(input.domainId());
            }
            boolean woken = Workflow.await(Duration.ofMillis(Math.min(interval, left)), () -> removed || verifyHandled < verifyRequests);
            if (removed) {
                return DomainState.gone();
            }
            interval = woken ? input.checkIntervalMinMs() : Math.min(interval * 2, input.checkIntervalMaxMs());
        }
    }

    /** FAILED: waits for a {@code verifyNow} (a fresh verification period), an upload, or the removal. */
    private DomainState afterFailure() {
        if (Workflow.await(ROW_CHECK_EVERY, () -> removed || verifyHandled < verifyRequests || uploadsHandled < uploads)) {
            uploadsHandled = uploads;
            if (!removed && verifyHandled < verifyRequests) {
                verifyHandled = verifyRequests;
                activities.restartVerification(input.domainId());
            }
        }
        return activities.load(input.domainId());
    }

    /** Verified without ACME: waits for an upload; a {@code verifyNow} checks the DNS again. */
    private DomainState awaitUpload() {
        if (Workflow.await(ROW_CHECK_EVERY, () -> removed || verifyHandled < verifyRequests || uploadsHandled < uploads)) {
            uploadsHandled = uploads;
            if (!removed && verifyHandled < verifyRequests) {
                verifyHandled = verifyRequests;
                activities.checkDns(input.domainId(), input.gatewayHost());
            }
        }
        return activities.load(input.domainId());
    }

    private DomainState issue() {
        try {
            issuance.issueCertificate(input.domainId(), 0);
        } catch (ActivityFailure failure) {
            activities.fail(input.domainId(), reason(failure));
        }
        return activities.load(input.domainId());
    }

    /**
     * Serves the certificate, then sleeps until the next thing to do: the renewal of an ACME certificate
     * (retried with back-off while it fails), the expiry email of one not replaced in time. A new
     * certificate (renewed or uploaded) continues as new, so that the history stays small.
     */
    private void serve(DomainState state) {
        activities.publish(input.domainId());
        long installed = state.certificateInstalledAt();
        long notAfter = state.certificateNotAfter();
        boolean renews = input.acme() && state.source() == CertificateSource.ACME;
        long noticeAt = notAfter - input.expiryNoticeBeforeMs();
        boolean noticeSent = state.expiryNoticeSent();
        long nextRenewal = notAfter - input.renewBeforeMs();
        long retry = RENEWAL_RETRY_MIN.toMillis();
        while (true) {
            if (removed) {
                activities.withdraw(input.envId(), input.domainId(), input.hostname());
                return;
            }
            if (uploadsHandled < uploads) {
                uploadsHandled = uploads;
                if (replaced(installed)) {
                    return;
                }
            }
            long now = Workflow.currentTimeMillis();
            if (!noticeSent && now >= noticeAt) {
                activities.sendExpiryNotice(input.domainId(), notAfter);
                noticeSent = true;
            }
            if (renews && now >= nextRenewal) {
                try {
                    renewal.issueCertificate(input.domainId(), installed);
                    Workflow.continueAsNew(input);
                    return;
                } catch (ActivityFailure failure) {
                    nextRenewal = Workflow.currentTimeMillis() + retry;
                    retry = Math.min(retry * 2, RENEWAL_RETRY_MAX.toMillis());
                }
                continue;
            }
            long wake = now + ROW_CHECK_EVERY.toMillis();
            boolean rowCheck = true;
            if (renews && nextRenewal < wake || !noticeSent && noticeAt < wake) {
                wake = Math.min(renews ? nextRenewal : Long.MAX_VALUE, noticeSent ? Long.MAX_VALUE : noticeAt);
                rowCheck = false;
            }
            boolean woken = Workflow.await(Duration.ofMillis(wake - now), () -> removed || uploadsHandled < uploads);
            if (!woken && rowCheck && replaced(installed)) {
                return;
            }
        }
    }

    /** Whether the row is gone (its route withdrawn) or has another certificate (continued as new). */
    private boolean replaced(long installed) {
        DomainState now = activities.load(input.domainId());
        if (!now.exists()) {
            activities.withdraw(input.envId(), input.domainId(), input.hostname());
            return true;
        }
        if (now.hasCertificate() && now.certificateInstalledAt() != installed) {
            Workflow.continueAsNew(input);
            return true;
        }
        return false;
    }

    /** The failure's own words: the authority's message, or why it could not be reached. */
    private static String reason(ActivityFailure failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        return cause != null ? cause.getMessage() : failure.getMessage();
    }

    @Override
    public void verifyNow() {
        verifyRequests++;
    }

    @Override
    public void certificateUploaded() {
        uploads++;
    }

    @Override
    public void removed() {
        removed = true;
    }
}
