package io.cloudplane.workflows.sandbox;

import java.util.List;

/** What the lifecycle will do and when, in epoch milliseconds; null where it does not apply. */
public record LifecycleSchedule(LifecyclePhase phase, long lastStudioAccessAt, Long sleepsAt, Long asleepSince,
                                List<Long> deletionNoticesAt, Long deletesAt) {
}
