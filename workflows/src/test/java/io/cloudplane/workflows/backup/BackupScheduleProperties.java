package io.cloudplane.workflows.backup;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup schedule is what a user types (frequency, day, HH:MM, retention): whatever they type,
 * {@link BackupSchedule#problems} answers without throwing, and a schedule with no problem always
 * has a next slot, strictly after the time asked, at the time and on the day it says, within a day
 * (daily) or a week (weekly).
 */
class BackupScheduleProperties {
    /** 2000-01-01 and 2200-01-01 (GMT), in epoch milliseconds. */
    private static final long YEAR_2000 = 946_684_800_000L;
    private static final long YEAR_2200 = 7_258_118_400_000L;

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(12), Arbitraries.strings().withChars("0123456789:")
                .ofMaxLength(6), Arbitraries.of("MONDAY", "sunday", "Friday", "24:00", "23:59", "00:00", "7:05", "12:60", ""));
    }

    @Provide
    Arbitrary<String> validTime() {
        return Arbitraries.integers().between(0, 23).flatMap(h -> Arbitraries.integers().between(0, 59)
                .map(m -> String.format(Locale.ROOT, "%02d:%02d", h, m)));
    }

    @Property(tries = 500)
    void problemsNeverThrowAndAValidScheduleHasItsNextSlot(@ForAll("anyText") String frequencyText, @ForAll("anyText") String day,
                                                           @ForAll("anyText") String time, @ForAll int count, @ForAll int days,
                                                           @ForAll boolean paused, @ForAll @LongRange(min = YEAR_2000, max = YEAR_2200) long after) {
        ScheduleFrequency frequency = ScheduleFrequency.parse(frequencyText).orElse(null);
        BackupSchedule schedule = new BackupSchedule(frequency, day.toUpperCase(Locale.ROOT), time, count, days, paused);
        if (schedule.problems().isEmpty()) {
            assertSlot(schedule, after);
        }
    }

    @Property(tries = 500)
    void everyScheduleATypedOneCanBeHasNoProblemAndItsSlotsAreRight(@ForAll boolean weekly, @ForAll DayOfWeek day,
                                                                   @ForAll("validTime") String time,
                                                                   @ForAll @IntRange(min = 1, max = 1000) int count,
                                                                   @ForAll @IntRange(min = 0, max = 3650) int days,
                                                                   @ForAll @LongRange(min = YEAR_2000, max = YEAR_2200) long after) {
        BackupSchedule schedule = new BackupSchedule(weekly ? ScheduleFrequency.WEEKLY : ScheduleFrequency.DAILY,
                weekly ? day.name() : null, time, count, days, false);
        assertEquals(java.util.List.of(), schedule.problems());
        assertSlot(schedule, after);
    }

    @Property
    void aFrequencyIsReadInAnyCaseAndNothingElseIsOne(@ForAll("anyText") String text) {
        var parsed = ScheduleFrequency.parse(text);
        boolean known = text.equalsIgnoreCase("daily") || text.equalsIgnoreCase("weekly");
        assertEquals(known, parsed.isPresent(), text);
        parsed.ifPresent(f -> assertEquals(f.name(), text.toUpperCase(Locale.ROOT)));
    }

    private static void assertSlot(BackupSchedule schedule, long after) {
        long next = schedule.nextSlotAfter(after);
        assertTrue(next > after, "strictly after");
        Duration gap = Duration.ofMillis(next - after);
        Duration period = schedule.frequency() == ScheduleFrequency.WEEKLY ? Duration.ofDays(7) : Duration.ofDays(1);
        assertTrue(gap.compareTo(period) <= 0, "within " + period + ": " + gap);
        ZonedDateTime at = Instant.ofEpochMilli(next).atZone(ZoneOffset.UTC);
        assertEquals(schedule.time(), String.format(Locale.ROOT, "%02d:%02d", at.getHour(), at.getMinute()));
        assertEquals(0, at.getSecond() + at.getNano());
        if (schedule.frequency() == ScheduleFrequency.WEEKLY) {
            assertEquals(DayOfWeek.valueOf(schedule.dayOfWeek().toUpperCase(Locale.ROOT)), at.getDayOfWeek());
        }
    }
}
