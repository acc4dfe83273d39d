package io.cloudplane.workflows.domain;

/** Where a domain's certificate came from: issued over ACME (renewed by Cloudplane) or uploaded by the owner (never renewed). */
public enum CertificateSource {
    ACME, UPLOADED
}
