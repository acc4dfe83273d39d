package io.cloudplane.infra.domain;

/**
 * The result of one DNS check, asked of the domain's authoritative name servers (or the configured
 * resolver), never a cache.
 *
 * @param problem  {@link Problem#NONE} when ownership is proven, the name points here and CAA allows
 *                 the authority; else the first thing to fix
 * @param summary  in words, for the owner: what was found and, if anything is wrong, exactly what to
 *                 change (e.g. "The TXT record _cloudplane-challenge.shop.example.com holds \"abc\",
 *                 not \"cp-…\": change its value to …")
 */
public record DnsFindings(Problem problem, String summary) {

    public enum Problem {
        NONE,
        /** no TXT record at _cloudplane-challenge.<hostname> */
        TXT_MISSING,
        /** TXT records there, none with the token */
        TXT_MISMATCH,
        /** no CNAME, A or AAAA record at the host name */
        NOT_POINTING,
        /** a CNAME to another host, or A/AAAA records with addresses that are not the gateway's */
        POINTS_ELSEWHERE,
        /** a CAA record set that does not allow the certificate authority */
        CAA_FORBIDS,
        /** the name servers could not be asked (timeout, SERVFAIL): a transient problem, checked again */
        DNS_UNAVAILABLE
    }

    public boolean verified() {
        return problem == Problem.NONE;
    }
}
