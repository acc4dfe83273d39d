package io.cloudplane.workflows.domain;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code domain/<domainId>}: a custom domain for its whole life. It checks the DNS with back-off until
 * the domain is VERIFIED (or FAILED after the verification timeout), gets it a certificate (ACME, or
 * waits for an upload), serves it, renews an ACME certificate before it expires, emails the owner
 * about a certificate that will expire unreplaced, and withdraws the route when the domain goes.
 * It continues as new after each new certificate.
 */
@WorkflowInterface
public interface DomainWorkflow {
    @WorkflowMethod
    void run(DomainInput input);

    /** Check the DNS now; on a FAILED domain, begin a fresh verification period. */
    @SignalMethod
    void verifyNow();

    /** The owner uploaded a certificate: serve it. */
    @SignalMethod
    void certificateUploaded();

    /** The domain was deleted: withdraw its route and end. */
    @SignalMethod
    void removed();
}
