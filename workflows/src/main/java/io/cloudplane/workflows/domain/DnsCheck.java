package io.cloudplane.workflows.domain;

/**
 * One DNS check of a domain: whether it proved ownership and points here, and the result in words
 * (what was found, what to change), as written to the row. {@code exists} is false once the row is gone.
 */
public record DnsCheck(boolean exists, boolean verified, String result) {
}
