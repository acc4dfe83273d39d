package io.cloudplane.workflows.backup;

import java.util.Arrays;
import java.util.Optional;

/** How often a backup schedule fires: daily, or weekly on its day. */
public enum ScheduleFrequency {
    DAILY, WEEKLY;

    /** The frequency a user wrote ({@code daily}, {@code WEEKLY}: any case); empty when it is none. */
    public static Optional<ScheduleFrequency> parse(String text) {
        return Arrays.stream(values()).filter(f -> f.name().equalsIgnoreCase(text)).findFirst();
    }
}
