package io.cloudplane.workflows.domain;

/**
 * What the {@code domain/<domainId>} workflow is started with: the domain's identity (kept to withdraw
 * its route once its row is gone) and the settings' durations in milliseconds, since a workflow cannot
 * read configuration ({@code cloudplane.domain.*}).
 *
 * @param gatewayHost            the environment's gateway host, which the domain's CNAME must point at
 * @param acme                   whether an ACME directory is configured; if not, a verified domain waits for an upload
 * @param verificationTimeoutMs  a domain whose DNS is still wrong this long after its checks began is FAILED
 * @param checkIntervalMinMs     the first wait between two DNS checks, doubled after each until {@code checkIntervalMaxMs}
 * @param renewBeforeMs          an ACME certificate is renewed this long before it expires
 * @param expiryNoticeBeforeMs   the owner is emailed this long before a certificate that was not replaced expires
 */
public record DomainInput(String domainId, String envId, String hostname, String gatewayHost, boolean acme, long verificationTimeoutMs,
                          long checkIntervalMinMs, long checkIntervalMaxMs, long renewBeforeMs, long expiryNoticeBeforeMs) {
}
