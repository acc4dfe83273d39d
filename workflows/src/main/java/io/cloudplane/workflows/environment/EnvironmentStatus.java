package io.cloudplane.workflows.environment;

public enum EnvironmentStatus {
    PROVISIONING, RUNNING, STOPPED, SLEEPING, UPDATING, DEPLOYING, RESTORING, FAILED, DELETING
}
