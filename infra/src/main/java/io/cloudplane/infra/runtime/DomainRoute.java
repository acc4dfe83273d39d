package io.cloudplane.infra.runtime;

import io.micronaut.core.annotation.Nullable;

/**
 * A custom domain as a runtime's own ingress serves it: {@code hostname} to the app of environment
 * {@code envId}, with its certificate (chain PEM, PKCS#8 key PEM) once it has one.
 */
public record DomainRoute(String envId, String domainId, String hostname, @Nullable String chainPem, @Nullable String privateKeyPem) {
}
