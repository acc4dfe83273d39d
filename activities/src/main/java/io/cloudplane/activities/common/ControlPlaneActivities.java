package io.cloudplane.activities.common;

/**
 * Marks an activity implementation that the worker registers on the control-plane task queue:
 * the worker takes every bean of this type, so a new implementation needs nothing more.
 */
public interface ControlPlaneActivities {
}
