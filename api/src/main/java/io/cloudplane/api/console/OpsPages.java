package io.cloudplane.api.console;

import io.cloudplane.api.backup.BackupController;
import io.cloudplane.api.backup.BackupScheduleController;
import io.cloudplane.api.backup.BackupView;
import io.micronaut.core.annotation.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What the Metrics, Logs and Backups tabs show (templates {@code metrics*.jte}, {@code logs*.jte},
 * {@code backups*.jte}): one record per page or fragment, each with the panel's {@link ConsolePages.Frame}.
 */
public final class OpsPages {
    private OpsPages() {
    }

    // ---- Metrics

    /** A range the Metrics tab offers in one click, and how long it spans. */
    public enum Preset {
        HOUR("1h", "Last hour", Duration.ofHours(1)),
        DAY("24h", "Last 24 hours", Duration.ofHours(24)),
        WEEK("7d", "Last 7 days", Duration.ofDays(7));

        private final String key;
        private final String label;
        private final Duration span;

        Preset(String key, String label, Duration span) {
            this.key = key;
            this.label = label;
            this.span = span;
        }

        public String key() {
            return key;
        }

        public String label() {
            return label;
        }

        public Duration span() {
            return span;
        }

        public static @Nullable Preset of(@Nullable String key) {
            for (Preset p : values()) {
                if (p.key.equals(key)) {
                    return p;
                }
            }
            return null;
        }
    }

    /** One chart: its id (what metrics.js draws in it), its title and unit, and its text alternative. */
    public record Chart(String id, String title, String caption) {
    }

    /**
     * The Metrics tab: the range shown ({@code preset}, or a custom {@code from}–{@code to} in UTC as the form's
     * {@code datetime-local} values), where metrics.js reads the series ({@code seriesUrl}), whether it re-reads
     * them every {@code refreshSeconds} (0: a fixed range), the charts, and a refused range's message.
     */
    public record Metrics(ConsolePages.Frame frame, @Nullable Preset preset, String from, String to, String seriesUrl, int refreshSeconds,
                          List<Chart> charts, @Nullable String error) {
        public List<Preset> presets() {
            return List.of(Preset.values());
        }

        public String presetHref(Preset p) {
            return frame.href(ConsolePages.Concern.METRICS) + "?range=" + p.key();
        }

        public @Nullable String current(Preset p) {
            return p == preset ? "page" : null;
        }

        public String rangeLabel() {
            return preset != null ? preset.label() : from.replace('T', ' ') + " to " + to.replace('T', ' ') + " UTC";
        }
    }

    // ---- Logs

    /**
     * The Logs tab's live part: the last {@code lines} lines of the server's log ({@code text}), and whether it
     * follows the log (then it polls {@code tailUrl} every 2 seconds); {@code error}: why the log cannot be read now.
     */
    public record LogsTail(UUID appId, UUID envId, String envName, int lines, boolean follow, String text, @Nullable String error) {
        public String base() {
            return "/apps/" + appId + "/environments/" + envId + "/logs";
        }

        /** The polling URL while following; none (no attribute) when paused. */
        public @Nullable String poll() {
            return follow ? base() + "/tail?follow=true&lines=" + lines : null;
        }

        public @Nullable String trigger() {
            return follow ? "every 2s" : null;
        }

        public String toggleUrl() {
            return base() + "/tail";
        }

        /** What the toggle asks for: the other state. */
        public String toggleValue() {
            return follow ? "false" : "true";
        }

        public String toggleLabel() {
            return follow ? "Pause" : "Follow";
        }

        public String state() {
            return follow ? "Following live: the last " + lines + " lines, read every 2 seconds." : "Paused: the last " + lines + " lines.";
        }

        public boolean empty() {
            return text.isEmpty();
        }
    }

    public record Logs(ConsolePages.Frame frame, LogsTail tail) {
        public List<Integer> choices() {
            return List.of(100, 200, 500, 1000);
        }

        public String download() {
            return tail.base() + "/download";
        }
    }

    // ---- Backups

    /** The schedule form's values: as stored, or as the user sent them when they were refused. */
    public record ScheduleForm(String frequency, @Nullable String dayOfWeek, String time, String retentionCount, String retentionDays,
                               boolean paused, @Nullable Instant nextRunAt) {
        public static ScheduleForm of(BackupScheduleController.ScheduleBody body) {
            return new ScheduleForm(body.frequency(), body.dayOfWeek(), body.time(),
                    body.retention() == null || body.retention().count() == null ? "" : body.retention().count().toString(),
                    body.retention() == null || body.retention().days() == null ? "" : body.retention().days().toString(),
                    Boolean.TRUE.equals(body.paused()), body.nextRunAt());
        }

        public boolean weekly() {
            return "weekly".equalsIgnoreCase(frequency);
        }

        public List<String> days() {
            return List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");
        }

        public boolean isDay(String day) {
            return day.equalsIgnoreCase(dayOfWeek);
        }
    }

    /** A step of a backup under way: its name and {@code succeeded}, {@code running}, {@code failed} or {@code pending}. */
    public record Step(String name, String state) {
        public String stateLabel() {
            return ConsolePages.label(state);
        }
    }

    /** A backup in the list, with what the user may do with it. */
    public record Backup(BackupView view) {
        public boolean completed() {
            return view.status().equals("COMPLETED");
        }

        public boolean moving() {
            return !view.status().equals("COMPLETED") && !view.status().equals("FAILED");
        }

        public String statusLabel() {
            return ConsolePages.label(view.status());
        }

        public String verificationLabel() {
            return view.verification() == null ? (moving() ? "Not yet" : "None") : ConsolePages.label(view.verification());
        }

        /**
         * The backup's steps (dump, upload, verify) with where each stands, for a backup under way or failed: its
         * status is the step it is on, and a failed backup names the step that failed.
         */
        public List<Step> steps() {
            if (completed()) {
                return List.of();
            }
            List<String> order = List.of("DUMPING", "UPLOADING", "VERIFYING");
            String failedAt = view.failedStep() == null ? null : view.failedStep().name();
            int current = order.indexOf(failedAt != null ? failedAt : view.status());
            List<Step> steps = new java.util.ArrayList<>();
            for (int i = 0; i < order.size(); i++) {
                String state = i < current ? "succeeded" : i > current || current < 0 ? "pending"
                        : failedAt != null ? "failed" : "running";
                steps.add(new Step(ConsolePages.label(order.get(i)), state));
            }
            return steps;
        }

        public String size() {
            return view.sizeBytes() == null ? "" : bytes(view.sizeBytes());
        }

        public String duration() {
            return view.durationMs() == null ? "" : seconds(view.durationMs());
        }
    }

    /**
     * The backups list, the part that polls itself every 2 seconds while a backup is under way
     * ({@code live}), so that its status (dumping, uploading, verifying, completed) shows as it moves.
     */
    public record BackupList(UUID appId, UUID envId, List<Backup> backups, boolean live, boolean canRestore) {
        public String base() {
            return "/apps/" + appId + "/environments/" + envId + "/backups";
        }

        public @Nullable String poll() {
            return live ? base() + "/list" : null;
        }

        public @Nullable String trigger() {
            return live ? "every 2s" : null;
        }
    }

    /** Health: the last good backup and its age, the next run, and the missed runs of the last 7 days. */
    public record Health(@Nullable BackupView lastGood, @Nullable Long ageSeconds, @Nullable Instant nextRun, boolean paused,
                         List<Instant> missedRuns) {
        public static Health of(BackupController.Health h) {
            return new Health(h.lastGoodBackup(), h.lastGoodAgeSeconds(), h.nextScheduledRun(), h.schedulePaused(), h.missedRuns());
        }

        public String age() {
            return ageSeconds == null ? "" : ago(ageSeconds);
        }
    }

    /**
     * The Backups tab. {@code unavailable}: why the environment has no backups (a development one has no backup
     * service), then nothing else shows. {@code scheduleError} and {@code actionError}: a refused form's message.
     */
    public record Backups(ConsolePages.Frame frame, @Nullable String unavailable, @Nullable ScheduleForm schedule, @Nullable Health health,
                          @Nullable BackupList list, @Nullable String scheduleError, @Nullable String actionError,
                          @Nullable String notice) {
        public String base() {
            return "/apps/" + frame.appId() + "/environments/" + frame.envId() + "/backups";
        }
    }

    /** The restore's confirmation: the backup, the name to type, and a refused confirmation's message. */
    public record Restore(ConsolePages.Frame frame, Backup backup, @Nullable String error) {
        public String action() {
            return "/apps/" + frame.appId() + "/environments/" + frame.envId() + "/backups/" + backup.view().id() + "/restore";
        }

        public String back() {
            return frame.href(ConsolePages.Concern.BACKUPS);
        }
    }

    // ---- shared

    /** 1,234,567 bytes as "1.2 MB". */
    public static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int i = -1;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** 3,700 seconds as "1 h 1 min ago". */
    static String ago(long seconds) {
        if (seconds < 60) {
            return seconds + " s ago";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + " min ago";
        }
        long hours = minutes / 60;
        if (hours < 48) {
            return hours + " h " + (minutes % 60) + " min ago";
        }
        return (hours / 24) + " days ago";
    }
}
