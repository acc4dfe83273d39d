package io.cloudplane.api.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.operation.Accepted;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.UUID;

/**
 * Restores a completed backup of the same environment, or of another environment of the same app
 * (production into staging, say): 202 with the RESTORE_ENVIRONMENT operation. Owners only.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/restores")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "backups")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class RestoreController {
    private final AccessService access;
    private final BackupRepository backups;
    private final RestoreService service;
    private final Accepted accepted;

    public RestoreController(AccessService access, BackupRepository backups, RestoreService service, Accepted accepted) {
        this.access = access;
        this.backups = backups;
        this.service = service;
        this.accepted = accepted;
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record RestoreBody(@Nullable String backupId) {
    }

    /** Restores a completed backup of this app into the environment (the owner only): 202 with the RESTORE_ENVIRONMENT operation. */
    @Post
    @Status(HttpStatus.ACCEPTED)
    @Accepted.Starts
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "restoreBackup")
    public HttpResponse<OperationView> restore(UUID appId, UUID envId, @Body RestoreBody body, Authentication auth) {
        UUID caller = Caller.id(auth);
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        if (a.role() != Access.Role.OWNER) {
            throw ApiException.forbidden("Only the app's owner restores backups: a restore replaces the environment's data");
        }
        BackupAccess.requireBackupService(env);
        UUID backupId = parse(body.backupId());
        BackupRecord backup = backups.findById(backupId).filter(b -> b.appId().equals(appId))
                .orElseThrow(() -> ApiException.badRequest("backupId", "no backup " + backupId + " in this app"));
        if (backup.status() != BackupRecord.Status.COMPLETED) {
            throw ApiException.badRequest("backupId", "backup " + backupId + " is " + backup.status()
                    + ": only completed, verified backups are restored");
        }
        if (env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING) {
            throw ApiException.conflict("The environment is " + env.status() + "; try again when it is done");
        }
        return accepted.launch(service.record(a, caller, env, backupId));
    }

    private static UUID parse(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("backupId", "required: the ID of a completed backup of this app");
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("backupId", "not a backup ID: " + value);
        }
    }
}
