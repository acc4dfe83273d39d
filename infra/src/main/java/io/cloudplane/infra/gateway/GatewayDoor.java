package io.cloudplane.infra.gateway;

/**
 * The two doors of an environment at the gateway: its app (the renderer, for its end users, or
 * anyone when public) at {@code <label>.<base domain>}, and its Studio (the owner and developers
 * only) at {@code studio-<label>.<base domain>}.
 */
public enum GatewayDoor {
    APP, STUDIO
}
