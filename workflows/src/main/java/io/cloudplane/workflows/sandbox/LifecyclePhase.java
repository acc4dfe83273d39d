package io.cloudplane.workflows.sandbox;

/** Where a sandbox is in its lifecycle: awake, asleep (waiting for a wake or its deletion), or being deleted. */
public enum LifecyclePhase {
    AWAKE, ASLEEP, DELETING
}
