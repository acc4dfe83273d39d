package io.cloudplane.api.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.workflows.backup.BackupSchedule;
import io.cloudplane.workflows.backup.BackupScheduleView;
import io.cloudplane.workflows.backup.ScheduleFrequency;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowUpdateException;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** An environment's backup schedule: {@code {frequency, dayOfWeek, time, retention: {count, days}, paused}}, times in GMT. */
@Controller("/api/v1/apps/{appId}/environments/{envId}/backup-schedule")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "backups")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
@Problems.Forbidden
@Problems.Unprocessable
public class BackupScheduleController {
    private final BackupAccess backupAccess;
    private final BackupSchedules schedules;

    public BackupScheduleController(BackupAccess backupAccess, BackupSchedules schedules) {
        this.backupAccess = backupAccess;
        this.schedules = schedules;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record RetentionBody(@Nullable Integer count, @Nullable Integer days) {
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record ScheduleBody(@Nullable String frequency, @Nullable String dayOfWeek, @Nullable String time,
                               @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                               RetentionBody retention, @Nullable Boolean paused,
                               // An answer only: a PUT may send back what a GET gave, and this is ignored.
                               @Schema(accessMode = Schema.AccessMode.READ_ONLY) @Nullable Instant nextRunAt) {
        static ScheduleBody of(BackupSchedule s, @Nullable Long nextSlot) {
            return new ScheduleBody(s.frequency().name().toLowerCase(Locale.ROOT),
                    s.dayOfWeek() == null ? null : s.dayOfWeek().toLowerCase(Locale.ROOT), s.time(),
                    new RetentionBody(s.retentionCount(), s.retentionDays()), s.paused(),
                    nextSlot == null ? null : Instant.ofEpochMilli(nextSlot));
        }
    }

    /** The environment's backup schedule and retention, and its next run. */
    @Get
    @Operation(operationId = "getBackupSchedule")
    public ScheduleBody get(UUID appId, UUID envId, Authentication auth) {
        backupAccess.require(Caller.id(auth), appId, envId, false);
        // The row is written only once the workflow accepted the change: it is the schedule in force.
        BackupSchedule stored = schedules.stored(envId).orElseGet(BackupSchedule::defaults);
        return ScheduleBody.of(stored, stored.paused() ? null : stored.nextSlotAfter(System.currentTimeMillis()));
    }

    /** Replaces the schedule; it takes effect from the next slot. A bad value answers 400 naming the field, and changes nothing. */
    @Put
    @Operation(operationId = "replaceBackupSchedule")
    public ScheduleBody put(UUID appId, UUID envId, @Body ScheduleBody body, Authentication auth) {
        backupAccess.require(Caller.id(auth), appId, envId, true);
        BackupSchedule current = schedules.stored(envId).orElseGet(BackupSchedule::defaults);
        // A frequency that is none is null here: the schedule's problems name the field.
        ScheduleFrequency frequency = body.frequency() == null ? current.frequency()
                : ScheduleFrequency.parse(body.frequency()).orElse(null);
        String day = body.dayOfWeek() == null ? (frequency == ScheduleFrequency.WEEKLY ? current.dayOfWeek() : null)
                : body.dayOfWeek().toUpperCase(Locale.ROOT);
        BackupSchedule next = new BackupSchedule(frequency, day, body.time() == null ? current.time() : body.time(),
                body.retention() == null || body.retention().count() == null ? current.retentionCount() : body.retention().count(),
                body.retention() == null || body.retention().days() == null ? current.retentionDays() : body.retention().days(),
                body.paused() == null ? current.paused() : body.paused());
        List<String> problems = next.problems();
        if (!problems.isEmpty()) {
            String first = problems.get(0);
            int colon = first.indexOf(':');
            throw ApiException.badRequest(first.substring(0, colon), first.substring(colon + 1).trim());
        }
        try {
            BackupScheduleView view = schedules.update(appId, envId, next);
            return ScheduleBody.of(view.schedule(), view.nextSlot());
        } catch (WorkflowUpdateException e) {
            throw ApiException.badRequest("schedule", "refused: " + e.getCause().getMessage());
        }
    }
}
