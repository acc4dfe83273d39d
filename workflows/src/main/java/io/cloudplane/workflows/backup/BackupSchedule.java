package io.cloudplane.workflows.backup;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When an environment is backed up: {@code DAILY} at {@code time} (HH:MM, GMT), or {@code WEEKLY} on
 * {@code dayOfWeek} at {@code time}; how many backups retention keeps; and whether it is paused.
 * Pure and deterministic: the schedule workflow computes its slots with it.
 */
public record BackupSchedule(ScheduleFrequency frequency, String dayOfWeek, String time, int retentionCount, int retentionDays,
                             boolean paused) {
    /** The default: daily at 02:00 GMT, keeping the newest 7 and everything younger than 30 days. */
    public static BackupSchedule defaults() {
        return new BackupSchedule(ScheduleFrequency.DAILY, null, "02:00", Retention.DEFAULT.keepCount(),
                Retention.DEFAULT.keepDays(), false);
    }

    public Retention retention() {
        return new Retention(retentionCount, retentionDays);
    }

    /**
     * The problems with this schedule, each as {@code field: message}; empty when it is valid. A
     * frequency that is none of {@link ScheduleFrequency} comes here as null.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (frequency == null) {
            problems.add("frequency: must be daily or weekly");
        }
        if (frequency == ScheduleFrequency.WEEKLY) {
            if (dayOfWeek == null) {
                problems.add("dayOfWeek: required for a weekly schedule");
            } else {
                try {
                    DayOfWeek.valueOf(dayOfWeek);
                } catch (IllegalArgumentException e) {
                    problems.add("dayOfWeek: must be a day of the week, such as SUNDAY");
                }
            }
        } else if (dayOfWeek != null) {
            problems.add("dayOfWeek: only for a weekly schedule");
        }
        if (time == null || !time.matches("\\d{2}:\\d{2}")) {
            problems.add("time: must be HH:MM (24-hour, GMT)");
        } else {
            try {
                LocalTime.parse(time);
            } catch (DateTimeParseException e) {
                problems.add("time: must be HH:MM (24-hour, GMT)");
            }
        }
        if (retentionCount < 1 || retentionCount > 1000) {
            problems.add("retention.count: must be between 1 and 1000");
        }
        if (retentionDays < 0 || retentionDays > 3650) {
            problems.add("retention.days: must be between 0 and 3650");
        }
        return problems;
    }

    /** The first slot strictly after {@code afterMillis} (epoch ms, GMT). */
    public long nextSlotAfter(long afterMillis) {
        ZonedDateTime after = Instant.ofEpochMilli(afterMillis).atZone(ZoneOffset.UTC);
        LocalTime at = LocalTime.parse(time);
        ZonedDateTime candidate = after.with(at).withSecond(0).withNano(0);
        if (frequency == ScheduleFrequency.WEEKLY) {
            candidate = candidate.with(TemporalAdjusters.nextOrSame(DayOfWeek.valueOf(dayOfWeek.toUpperCase(Locale.ROOT))));
            if (!candidate.isAfter(after)) {
                candidate = candidate.plusWeeks(1);
            }
        } else if (!candidate.isAfter(after)) {
            candidate = candidate.plusDays(1);
        }
        return candidate.toInstant().toEpochMilli();
    }
}
