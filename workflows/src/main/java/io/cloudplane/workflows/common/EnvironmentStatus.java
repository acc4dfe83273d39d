package io.cloudplane.workflows.common;

public enum EnvironmentStatus {
    PROVISIONING, RUNNING, STOPPED, SLEEPING, UPDATING, DEPLOYING, RESTORING, FAILED, DELETING
}
