package io.cloudplane.workflows.environment;

import io.temporal.activity.ActivityInterface;

/** The environment's own PostgreSQL database and role. Credentials never pass through workflow history. */
@ActivityInterface
public interface DatabaseActivities {
    /** Creates the database and its login role if absent; the password is generated and stored encrypted. */
    void createDatabase(String envId);

    /** Drops the database and its role if present. */
    void dropDatabase(String envId);
}
