package io.cloudplane.workflows.sandbox;

import java.util.List;

/**
 * The durations of the cycle, in milliseconds: idle time before sleep, time asleep before deletion
 * (counted from falling asleep), and the lead times of the deletion notices (at least one).
 */
public record LifecycleSettings(long idleMillis, long deleteAfterMillis, List<Long> noticeLeadMillis) {
}
