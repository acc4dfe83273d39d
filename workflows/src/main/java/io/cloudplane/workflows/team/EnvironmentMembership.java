package io.cloudplane.workflows.team;

/**
 * One environment of the app and the person's profile there: an end user's profile of that
 * environment, else their profile as a developer or owner of the app; null when they have none
 * there (no membership, or a developer not given a profile), which withdraws any declaration.
 */
public record EnvironmentMembership(String envId, String profile) {
}
