package io.cloudplane.infra.domain;

import java.util.List;

/**
 * What a domain's DNS must say before it is {@code VERIFIED}.
 *
 * @param hostname        the domain (ASCII, lower case)
 * @param txtValue        the value the TXT record {@code _cloudplane-challenge.<hostname>} must hold
 * @param cnameTarget     the environment's gateway host, which a CNAME at {@code hostname} may point at
 * @param addresses       the gateway's public IPv4/IPv6 addresses (configuration): A/AAAA records at
 *                        {@code hostname} must all be among them (the only way for an apex); empty
 *                        when none is configured
 * @param caaIdentities   the certificate authority's CAA identities (e.g. {@code letsencrypt.org}):
 *                        a CAA record set at the name or an ancestor (RFC 8659) must allow one of
 *                        them; empty: no CAA check (uploaded certificates, or an authority that names none)
 */
public record DnsExpectation(String hostname, String txtValue, String cnameTarget, List<String> addresses,
                             List<String> caaIdentities) {
}
