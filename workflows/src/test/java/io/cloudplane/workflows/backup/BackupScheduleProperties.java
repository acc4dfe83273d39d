package io.cloudplane.workflows.backup;

import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

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

    /** What a user types in the three text fields. */
    private record Typed(String frequency, String day, String time) {
    }

    /** The retention's count and days, as sent. */
    private record Retention(int count, int days) {
    }

    /** A schedule as the API's form can build it. */
    private record Slot(boolean weekly, DayOfWeek day, String time) {
    }

    /**
     * The examples come from a fixed seed, so that CI is repeatable: {@code -Dcloudplane.properties.seed}
     * varies it, {@code -Dcloudplane.properties.scale} multiplies the number of examples.
     */
    private static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(Long.getLong("cloudplane.properties.seed", 20261130L))
                .withExamples(examples * Integer.getInteger("cloudplane.properties.scale", 1));
    }

    /** Text of {@code 0} to {@code max} characters, each drawn from {@code chars}. */
    private static Gen<String> text(Gen<Character> chars, int max) {
        return lists().of(chars).ofSizeBetween(0, max).map(list -> {
            StringBuilder text = new StringBuilder(list.size());
            list.forEach(text::append);
            return text.toString();
        });
    }

    /** Any UTF-16 characters at all (NUL, controls, lone surrogates), or digits and colons, or near misses. */
    static Gen<String> anyText() {
        return Generate.oneOf(text(Generate.characters(Character.MIN_VALUE, Character.MAX_VALUE), 12),
                text(arbitrary().pick(List.of('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':')), 6),
                arbitrary().pick("MONDAY", "sunday", "Friday", "24:00", "23:59", "00:00", "7:05", "12:60", ""));
    }

    static Gen<String> validTime() {
        return integers().between(0, 23).zip(integers().between(0, 59), (h, m) -> String.format(Locale.ROOT, "%02d:%02d", h, m));
    }

    @Test
    void problemsNeverThrowAndAValidScheduleHasItsNextSlot() {
        qt(500).forAll(anyText().zip(anyText(), anyText(), Typed::new), integers().all().zip(integers().all(), Retention::new),
                        booleans().all(), longs().between(YEAR_2000, YEAR_2200))
                .checkAssert((typed, retention, paused, after) -> {
                    ScheduleFrequency frequency = ScheduleFrequency.parse(typed.frequency()).orElse(null);
                    BackupSchedule schedule = new BackupSchedule(frequency, typed.day().toUpperCase(Locale.ROOT), typed.time(),
                            retention.count(), retention.days(), paused);
                    if (schedule.problems().isEmpty()) {
                        assertSlot(schedule, after);
                    }
                });
    }

    @Test
    void everyScheduleATypedOneCanBeHasNoProblemAndItsSlotsAreRight() {
        qt(500).forAll(booleans().all().zip(arbitrary().enumValues(DayOfWeek.class), validTime(), Slot::new),
                        integers().between(1, 1000).zip(integers().between(0, 3650), Retention::new),
                        longs().between(YEAR_2000, YEAR_2200))
                .checkAssert((slot, retention, after) -> {
                    BackupSchedule schedule = new BackupSchedule(slot.weekly() ? ScheduleFrequency.WEEKLY : ScheduleFrequency.DAILY,
                            slot.weekly() ? slot.day().name() : null, slot.time(), retention.count(), retention.days(), false);
                    assertEquals(List.of(), schedule.problems());
                    assertSlot(schedule, after);
                });
    }

    @Test
    void aFrequencyIsReadInAnyCaseAndNothingElseIsOne() {
        qt(1000).forAll(anyText()).checkAssert(text -> {
            var parsed = ScheduleFrequency.parse(text);
            boolean known = text.equalsIgnoreCase("daily") || text.equalsIgnoreCase("weekly");
            assertEquals(known, parsed.isPresent(), text);
            parsed.ifPresent(f -> assertEquals(f.name(), text.toUpperCase(Locale.ROOT)));
        });
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
