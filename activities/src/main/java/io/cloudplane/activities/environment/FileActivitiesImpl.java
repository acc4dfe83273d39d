package io.cloudplane.activities.environment;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.workflows.environment.FileActivities;
import jakarta.inject.Singleton;

@Singleton
public class FileActivitiesImpl implements FileActivities, ControlPlaneActivities {
    private final EnvironmentFiles files;

    public FileActivitiesImpl(EnvironmentFiles files) {
        this.files = files;
    }

    @Override
    public void createFolders(String envId) {
        files.createFolders(envId);
    }

    @Override
    public void deleteFolders(String envId) {
        files.deleteFolders(envId);
    }
}
