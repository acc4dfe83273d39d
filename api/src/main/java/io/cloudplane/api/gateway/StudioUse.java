package io.cloudplane.api.gateway;

import java.util.UUID;

/**
 * Records that a Studio was used through the gateway (a forwarded Studio request): at most once per
 * environment per {@code cloudplane.gateway.studio-access-interval}, or per tenth of the sandbox
 * idle period when that is shorter, as {@code POST …/studio-sessions} does (the environment's
 * {@code last_studio_access_at}, and a sandbox's lifecycle told). Called on the gateway's event
 * loop: it must not block.
 */
public interface StudioUse {
    void used(UUID appId, UUID envId, boolean sandbox);
}
