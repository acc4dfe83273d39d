package io.cloudplane.workflows.backup;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScheduleFrequencyTest {

    @Test
    void readsAFrequencyInAnyCase() {
        assertEquals(Optional.of(ScheduleFrequency.DAILY), ScheduleFrequency.parse("daily"));
        assertEquals(Optional.of(ScheduleFrequency.WEEKLY), ScheduleFrequency.parse("Weekly"));
        assertEquals(Optional.of(ScheduleFrequency.WEEKLY), ScheduleFrequency.parse("WEEKLY"));
    }

    @Test
    void anythingElseIsNoFrequency() {
        assertEquals(Optional.empty(), ScheduleFrequency.parse("hourly"));
        assertEquals(Optional.empty(), ScheduleFrequency.parse(""));
        assertEquals(Optional.empty(), ScheduleFrequency.parse(null));
    }

    @Test
    void aScheduleWithoutAFrequencyNamesTheField() {
        assertEquals("frequency: must be daily or weekly",
                new BackupSchedule(null, null, "02:00", 7, 30, false).problems().get(0));
    }
}
