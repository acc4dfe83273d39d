package io.cloudplane.infra.domain;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.dns.*}: how custom domains' DNS is read.
 * <ul>
 *   <li>{@code resolver} ({@code CLOUDPLANE_DNS_RESOLVER}): {@code host[:port]} of a resolver to ask
 *       every question (no cache of ours in between); unset: the domain's authoritative name servers
 *       are found from the root and asked directly;</li>
 *   <li>{@code timeout}: per question (default 5s).</li>
 * </ul>
 */
@ConfigurationProperties("cloudplane.dns")
public record DnsSettings(@Nullable String resolver, @Bindable(defaultValue = "5s") Duration timeout) {
}
