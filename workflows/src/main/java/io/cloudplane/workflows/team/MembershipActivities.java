package io.cloudplane.workflows.team;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

import java.util.List;

/** The person's memberships as Cloudplane's tables hold them, and their declaration in the identity provider. */
@ActivityInterface
public interface MembershipActivities {

    /** Every environment of the app with the person's profile there (null: none). Empty when the app is gone. */
    @ActivityMethod
    List<EnvironmentMembership> readMemberships(String appId, String userId);

    /** Declares the profile for the environment (replacing one declared before). Idempotent. */
    @ActivityMethod
    void declareMembership(String userId, String envId, String profile);

    /** Takes back any declaration for the environment. Idempotent. */
    @ActivityMethod
    void withdrawMembership(String userId, String envId);
}
