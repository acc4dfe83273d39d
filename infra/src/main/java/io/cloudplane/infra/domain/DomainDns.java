package io.cloudplane.infra.domain;

/**
 * Checks a domain's DNS records (dnsjava), asking the domain's authoritative name servers directly,
 * or the resolver of {@code cloudplane.domain.dns-resolver} ({@code CLOUDPLANE_DNS_RESOLVER}) when
 * one is configured, so that no cache hides a record just set. Never throws for what the records say;
 * an unreachable DNS is {@link DnsFindings.Problem#DNS_UNAVAILABLE}.
 */
public interface DomainDns {
    DnsFindings check(DnsExpectation expected);
}
