package io.cloudplane.workflows.environment;

import io.temporal.activity.ActivityInterface;

/** The environment's code and resource folders. */
@ActivityInterface
public interface FileActivities {
    void createFolders(String envId);

    void deleteFolders(String envId);
}
