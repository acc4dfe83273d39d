package io.cloudplane.api.backup;

import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.common.Cursor;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.backup.BackupArchive;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.backup.BackupScheduleRecord;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.workflows.backup.Retention;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Provider;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import io.cloudplane.workflows.backup.BackupSchedule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;

/** Backups of an environment that has the backup service (staging, production): on demand, listed, downloaded. */
@Controller("/api/v1/apps/{appId}/environments/{envId}/backups")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "backups")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
@Problems.Forbidden
@Problems.Unprocessable
public class BackupController {
    private static final Set<String> PARTS = Set.of("database", "files", "manifest");
    private final BackupAccess backupAccess;
    private final BackupRepository backups;
    private final BackupLauncher launcher;
    /** Looked up at first use: the embedded S3 server starts with the first backup, not with the process. */
    private final Provider<ObjectStore> store;
    private final BackupSchedules schedules;

    public BackupController(BackupAccess backupAccess, BackupRepository backups, BackupLauncher launcher, Provider<ObjectStore> store,
                            BackupSchedules schedules) {
        this.schedules = schedules;
        this.backupAccess = backupAccess;
        this.backups = backups;
        this.launcher = launcher;
        this.store = store;
    }

    /** Starts a backup now: 202 with the backup, whose status then moves DUMPING, UPLOADING, VERIFYING, COMPLETED. */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Creates
    @Problems.Conflict
    @Operation(operationId = "createBackup")
    public HttpResponse<BackupView> create(UUID appId, UUID envId, Authentication auth) {
        UUID caller = Caller.id(auth);
        EnvironmentRecord env = backupAccess.require(caller, appId, envId, true);
        if (env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING
                || env.status() == EnvironmentStatus.RESTORING) {
            throw ApiException.conflict("The environment is " + env.status() + ": it has no database to back up yet");
        }
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        BackupRecord backup = backups.save(BackupRecord.pending(id, appId, envId, BackupRecord.Trigger.MANUAL, caller, null, now));
        launcher.launch(backup, schedules.stored(envId).map(BackupSchedule::retention).orElse(Retention.DEFAULT));
        return HttpResponse.accepted(URI.create("/api/v1/apps/" + appId + "/environments/" + envId + "/backups/" + id))
                .body(BackupView.of(backup));
    }

    /**
     * Cancels a backup that is still running (a manual or scheduled one): 202 with the backup, which then ends FAILED
     * saying it was cancelled, with nothing of it left in storage. 409 when it has ended, or for a safety backup.
     */
    @Post("/{backupId}/cancel")
    @Status(HttpStatus.ACCEPTED)
    @Problems.Conflict
    @Operation(operationId = "cancelBackup")
    public HttpResponse<BackupView> cancel(UUID appId, UUID envId, UUID backupId, Authentication auth) {
        backupAccess.require(Caller.id(auth), appId, envId, true);
        BackupRecord backup = require(envId, backupId);
        launcher.cancel(backup);
        return HttpResponse.accepted(URI.create("/api/v1/apps/" + appId + "/environments/" + envId + "/backups/" + backupId))
                .body(BackupView.of(backups.findById(backupId).orElse(backup)));
    }

    /** Newest first, {@code limit} a page (1 to 200, default 50); {@code nextCursor} asks for the next page. */
    @Get("{?limit,cursor}")
    @Operation(operationId = "listBackups")
    public BackupView.Page list(UUID appId, UUID envId, @io.micronaut.core.annotation.Nullable @io.micronaut.http.annotation.QueryValue
                                @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(200) Integer limit,
                                @io.micronaut.core.annotation.Nullable @io.micronaut.http.annotation.QueryValue String cursor,
                                Authentication auth) {
        backupAccess.require(Caller.id(auth), appId, envId, false);
        var page = Cursor.page(cursor, limit, (at, id, n) -> backups.findPage(envId, at, id, n), BackupView::of);
        return new BackupView.Page(page.items(), page.nextCursor());
    }

    /** One backup of the environment. */
    @Get("/{backupId}")
    @Operation(operationId = "getBackup")
    public BackupView get(UUID appId, UUID envId, UUID backupId, Authentication auth) {
        backupAccess.require(Caller.id(auth), appId, envId, false);
        return BackupView.of(require(envId, backupId));
    }

    /**
     * Streams one part of a completed backup: {@code database} (pg_dump custom format, for
     * {@code pg_restore}), {@code files} (a tar of the resource files) or {@code manifest}.
     */
    @Get("/{backupId}/download{?part}")
    @Problems.Conflict
    @Operation(operationId = "downloadBackup")
    public StreamedFile download(UUID appId, UUID envId, UUID backupId, @Nullable @QueryValue String part, Authentication auth) {
        backupAccess.require(Caller.id(auth), appId, envId, true);
        BackupRecord backup = require(envId, backupId);
        String which = part == null ? "database" : part;
        if (!PARTS.contains(which)) {
            throw ApiException.badRequest("part", "one of database, files, manifest");
        }
        if (backup.status() != BackupRecord.Status.COMPLETED) {
            throw ApiException.conflict("Backup " + backupId + " is " + backup.status() + ": only completed backups download");
        }
        String key = BackupArchive.key(backup, switch (which) {
            case "files" -> BackupArchive.FILES;
            case "manifest" -> BackupArchive.MANIFEST;
            default -> BackupArchive.DATABASE;
        });
        MediaType type = which.equals("manifest") ? MediaType.APPLICATION_JSON_TYPE : MediaType.APPLICATION_OCTET_STREAM_TYPE;
        String name = "backup-" + backupId + "-" + key.substring(key.lastIndexOf('/') + 1);
        return new StreamedFile(store.get().get(key), type).attach(name);
    }

    @Serdeable
    /** {@code lastGoodBackup}: absent until there is one. */
    public record Health(@Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                         BackupView lastGoodBackup, @Nullable Long lastGoodAgeSeconds, @Nullable Instant nextScheduledRun,
                         boolean schedulePaused, List<Instant> missedRuns) {
    }

    /**
     * The last good (completed, verified) backup and its age, the next scheduled run, and the
     * scheduled slots of the last 7 days that produced no completed backup.
     */
    @Get("/health")
    @Operation(operationId = "getBackupHealth")
    public Health health(UUID appId, UUID envId, Authentication auth) {
        EnvironmentRecord env = backupAccess.require(Caller.id(auth), appId, envId, false);
        Instant now = Instant.now();
        var lastGood = backups.findNewestCompleted(envId);
        var stored = schedules.storedRecord(envId);
        BackupSchedule schedule = stored.map(BackupSchedules::toSchedule).orElseGet(BackupSchedule::defaults);
        Instant scheduleSetAt = stored.map(BackupScheduleRecord::updatedAt).orElse(env.createdAt());
        Instant next = schedule.paused() ? null : Instant.ofEpochMilli(schedule.nextSlotAfter(now.toEpochMilli()));
        return new Health(lastGood.map(BackupView::of).orElse(null),
                lastGood.map(b -> Duration.between(b.finishedAt() != null ? b.finishedAt() : b.createdAt(), now).toSeconds()).orElse(null),
                next, schedule.paused(), missedRuns(env, schedule, scheduleSetAt, now));
    }

    private List<Instant> missedRuns(EnvironmentRecord env, BackupSchedule schedule, Instant scheduleSetAt, Instant now) {
        if (schedule.paused()) {
            return List.of();
        }
        Instant from = Collections.max(List.of(env.createdAt(), now.minus(Duration.ofDays(7)), scheduleSetAt));
        Map<Instant, BackupRecord> bySlot = new HashMap<>();
        for (BackupRecord b : backups.findScheduledSince(env.id(), from)) {
            bySlot.put(b.scheduledFor(), b);
        }
        List<Instant> missed = new ArrayList<>();
        // A slot is missed once it is past and no completed backup came of it (a running one is not missed yet).
        for (long slot = schedule.nextSlotAfter(from.toEpochMilli()); slot <= now.toEpochMilli(); slot = schedule.nextSlotAfter(slot)) {
            BackupRecord b = bySlot.get(Instant.ofEpochMilli(slot));
            if (b == null ? now.isAfter(Instant.ofEpochMilli(slot).plus(Duration.ofMinutes(15)))
                    : b.status() == BackupRecord.Status.FAILED) {
                missed.add(Instant.ofEpochMilli(slot));
            }
        }
        return missed;
    }

    private BackupRecord require(UUID envId, UUID backupId) {
        return backups.findById(backupId).filter(b -> b.envId().equals(envId))
                .orElseThrow(() -> ApiException.notFound("backup " + backupId));
    }
}
