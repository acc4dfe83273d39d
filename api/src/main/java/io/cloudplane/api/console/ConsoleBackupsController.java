package io.cloudplane.api.console;

import io.cloudplane.api.backup.BackupController;
import io.cloudplane.api.backup.BackupScheduleController;
import io.cloudplane.api.backup.BackupView;
import io.cloudplane.api.backup.RestoreController;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.blank;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;
import static io.cloudplane.api.console.ConsoleSupport.trimmed;

/**
 * The app panel's Backups tab: the schedule (shown and edited, through the API's {@link BackupScheduleController}),
 * health (last good backup, next run, missed runs), the list with each backup's verification (it polls itself
 * while a backup is under way, so its status moves on the page), back up now, restore after a confirmation (the
 * user types the environment's name; the restore's operation then shows its steps live on the Overview), and
 * each part of a completed backup as a download checked by the session (the API's download).
 */
@Controller("/apps/{appId}/environments/{envId}/backups")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
public class ConsoleBackupsController {
    static final int LISTED = 20;
    private final ConsoleSupport support;
    private final AccessService access;
    private final BackupController backupsApi;
    private final BackupScheduleController scheduleApi;
    private final RestoreController restoreApi;

    public ConsoleBackupsController(ConsoleSupport support, AccessService access, BackupController backupsApi,
                                    BackupScheduleController scheduleApi, RestoreController restoreApi) {
        this.support = support;
        this.access = access;
        this.backupsApi = backupsApi;
        this.scheduleApi = scheduleApi;
        this.restoreApi = restoreApi;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> show(UUID appId, UUID envId, @Nullable @QueryValue String saved, @Nullable @QueryValue UUID started,
                                HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        String notice = "schedule".equals(saved) ? "The schedule is saved: it takes effect from its next run."
                : started != null ? "The backup has started: its status below follows it as it moves." : null;
        return backups(HttpStatus.OK, http, user.get(), appId, envId, null, null, null, notice);
    }

    /** The list alone: what its polling fetches while a backup is under way. */
    @Get(value = "/list", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> list(UUID appId, UUID envId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        support.frame(http, user.get(), appId, envId, ConsolePages.Concern.BACKUPS);
        return page(HttpStatus.OK, "backupsList", list(user.get(), appId, envId));
    }

    /** Back up now (the API's POST …/backups): back to the tab, whose list follows the backup. */
    @Post(produces = MediaType.TEXT_HTML)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> backUpNow(UUID appId, UUID envId, @Nullable @Body String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            support.frame(http, user, appId, envId, ConsolePages.Concern.BACKUPS);
            try {
                BackupView backup = backupsApi.create(appId, envId, auth(user)).body();
                return seeOther(base(appId, envId) + "?started=" + backup.id());
            } catch (ApiException e) {
                if (e.status() == HttpStatus.NOT_FOUND) {
                    throw e;
                }
                return backups(e.status(), http, user, appId, envId, null, null, ConsoleSupport.message(e), null);
            }
        });
    }

    /** The schedule's form (the API's PUT …/backup-schedule): a refused value shows the form again with the API's reason. */
    @Post(value = "/schedule", produces = MediaType.TEXT_HTML)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> schedule(UUID appId, UUID envId, @Nullable @Body String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            support.frame(http, user, appId, envId, ConsolePages.Concern.BACKUPS);
            String frequency = trimmed(form.get("frequency"));
            boolean weekly = "weekly".equalsIgnoreCase(frequency);
            String day = weekly ? trimmed(form.get("dayOfWeek")) : null;
            boolean paused = form.containsKey("paused");
            OpsPages.ScheduleForm sent = new OpsPages.ScheduleForm(frequency == null ? "" : frequency.toLowerCase(Locale.ROOT), day,
                    trimmed(form.getOrDefault("time", "")), trimmed(form.getOrDefault("retentionCount", "")),
                    trimmed(form.getOrDefault("retentionDays", "")), paused, null);
            try {
                scheduleApi.put(appId, envId, new BackupScheduleController.ScheduleBody(blank(frequency) ? "none" : frequency,
                        blank(day) ? null : day, blank(sent.time()) ? "" : sent.time(),
                        new BackupScheduleController.RetentionBody(number("retention.count", sent.retentionCount()),
                                number("retention.days", sent.retentionDays())), paused, null), auth(user));
                return seeOther(base(appId, envId) + "?saved=schedule");
            } catch (ApiException e) {
                if (e.status() == HttpStatus.NOT_FOUND) {
                    throw e;
                }
                return backups(e.status(), http, user, appId, envId, sent, ConsoleSupport.message(e), null, null);
            }
        });
    }

    /** The restore's confirmation step: the backup, and a form where the user types the environment's name. */
    @Get(value = "/{backupId}/restore", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> restorePage(UUID appId, UUID envId, UUID backupId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        ConsolePages.Frame frame = support.frame(http, user.get(), appId, envId, ConsolePages.Concern.BACKUPS);
        BackupView backup = backupsApi.get(appId, envId, backupId, auth(user.get()));
        return page(HttpStatus.OK, "backupsRestore", new OpsPages.Restore(frame, new OpsPages.Backup(backup), null));
    }

    /**
     * Restores the backup (the API's POST …/restores) once the environment's name is typed: then the Overview
     * follows the restore's operation, step by step. Without the name, nothing happens (400, the form again).
     */
    @Post(value = "/{backupId}/restore", produces = MediaType.TEXT_HTML)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> restore(UUID appId, UUID envId, UUID backupId, @Nullable @Body String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            ConsolePages.Frame frame = support.frame(http, user, appId, envId, ConsolePages.Concern.BACKUPS);
            BackupView backup = backupsApi.get(appId, envId, backupId, auth(user));
            String name = frame.environment().name();
            if (!name.equals(trimmed(form.get("confirm")))) {
                return page(HttpStatus.BAD_REQUEST, "backupsRestore", new OpsPages.Restore(frame, new OpsPages.Backup(backup),
                        "Type the environment's name, " + name + ", to confirm: the restore replaces its data."));
            }
            try {
                OperationView op = restoreApi.restore(appId, envId, new RestoreController.RestoreBody(backupId.toString()), auth(user)).body();
                return seeOther("/apps/" + appId + "?env=" + envId + "&operation=" + op.id());
            } catch (ApiException e) {
                if (e.status() == HttpStatus.NOT_FOUND) {
                    throw e;
                }
                return page(e.status(), "backupsRestore", new OpsPages.Restore(frame, new OpsPages.Backup(backup), ConsoleSupport.message(e)));
            }
        });
    }

    /** A part of a completed backup (database, files or manifest), streamed by the API's download. */
    @Get("/{backupId}/download")
    public HttpResponse<?> download(UUID appId, UUID envId, UUID backupId, @Nullable @QueryValue String part, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        support.frame(http, user.get(), appId, envId, ConsolePages.Concern.BACKUPS);
        return HttpResponse.ok(backupsApi.download(appId, envId, backupId, part, auth(user.get())));
    }

    private HttpResponse<?> backups(HttpStatus status, HttpRequest<?> http, UUID user, UUID appId, UUID envId,
                                    @Nullable OpsPages.ScheduleForm sent, @Nullable String scheduleError, @Nullable String actionError,
                                    @Nullable String notice) {
        ConsolePages.Frame frame = support.frame(http, user, appId, envId, ConsolePages.Concern.BACKUPS);
        if (!frame.environment().services().backups()) {
            return page(status, "backups", new OpsPages.Backups(frame, "A " + frame.environment().type()
                    + " environment has no backup service: staging and production environments are backed up.",
                    null, null, null, null, null, null));
        }
        OpsPages.ScheduleForm schedule = sent != null ? sent : OpsPages.ScheduleForm.of(scheduleApi.get(appId, envId, auth(user)));
        OpsPages.Health health = OpsPages.Health.of(backupsApi.health(appId, envId, auth(user)));
        return page(status, "backups", new OpsPages.Backups(frame, null, schedule, health, list(user, appId, envId), scheduleError,
                actionError, notice));
    }

    private OpsPages.BackupList list(UUID user, UUID appId, UUID envId) {
        List<OpsPages.Backup> items = backupsApi.list(appId, envId, LISTED, null, auth(user)).items().stream().map(OpsPages.Backup::new).toList();
        boolean owner = access.requireApp(user, appId).role() == Access.Role.OWNER;
        return new OpsPages.BackupList(appId, envId, items, items.stream().anyMatch(OpsPages.Backup::moving), owner);
    }

    private static String base(UUID appId, UUID envId) {
        return "/apps/" + appId + "/environments/" + envId + "/backups";
    }

    /** A whole number from the form; blank keeps the schedule's own value. */
    private static @Nullable Integer number(String field, @Nullable String value) {
        if (blank(value)) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field, "must be a whole number");
        }
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
