package io.cloudplane.workflows.sandbox;

import java.util.List;

/** What the lifecycle will do and when, in epoch milliseconds; null where it does not apply. */
public record LifecycleSchedule(String phase, long lastStudioAccessAt, Long sleepsAt, Long asleepSince,
                                List<Long> deletionNoticesAt, Long deletesAt) {
    public static final String AWAKE = "AWAKE";
    public static final String ASLEEP = "ASLEEP";
    public static final String DELETING = "DELETING";
}
