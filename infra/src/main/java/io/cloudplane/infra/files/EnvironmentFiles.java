package io.cloudplane.infra.files;

import java.nio.file.Path;

/** An environment's code and resource folders, and where its server writes logs. */
public interface EnvironmentFiles {
    void createFolders(String envId);

    void deleteFolders(String envId);

    boolean exists(String envId);

    Path codeDir(String envId);

    Path resourcesDir(String envId);

    Path runDir(String envId);
}
