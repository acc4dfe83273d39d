package io.cloudplane.api.code;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.code.CodeSettings;
import io.cloudplane.infra.environment.EnvironmentLocks;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.code.EnvironmentCode;
import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * The code of a development environment, uploaded as a zip or tar.gz archive; other environments
 * get their code only by deploying a release (422 here). The archive is received into a temporary
 * file, checked entry by entry (paths, links, count, expanded size: 400 naming the problem, and
 * nothing changes), unpacked into a new tree and stored; then the environment switches to it in
 * one rename. Files are served from the new tree at once; {@code app.json} is read at the next start.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/code")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "releases")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class CodeController {
    private final AccessService access;
    private final EnvironmentCode code;
    private final CodeSettings settings;
    private final OperationRepository operations;
    private final EnvironmentLocks locks;
    private final EnvironmentRepository environments;
    private final CodeRollout rollout;

    public CodeController(AccessService access, EnvironmentCode code, CodeSettings settings, OperationRepository operations,
                          EnvironmentLocks locks, EnvironmentRepository environments, CodeRollout rollout) {
        this.rollout = rollout;
        this.locks = locks;
        this.environments = environments;
        this.access = access;
        this.code = code;
        this.settings = settings;
        this.operations = operations;
    }

    /**
     * {@code rolloutOperationId}: on Kubernetes, the restart operation that rolls a running environment's pods to
     * the uploaded code (follow it at {@code /api/v1/operations/{id}}); null where the server sees the code at once.
     */
    @Serdeable
    public record CodeView(String sha256, long sizeBytes, @Nullable UUID releaseId, @Nullable UUID updatedBy, Instant updatedAt,
                           @Nullable UUID rolloutOperationId) {
        static CodeView of(EnvironmentCodeRecord r) {
            return new CodeView(r.sha256(), r.sizeBytes(), r.releaseId(), r.updatedBy(), r.updatedAt(), null);
        }

        CodeView rolledOutBy(@Nullable UUID operationId) {
            return new CodeView(sha256, sizeBytes, releaseId, updatedBy, updatedAt, operationId);
        }
    }

    /**
     * Uploads the development environment's code (a zip or tar.gz), which a running server sees at once; on
     * Kubernetes a restart operation rolls its pods to it ({@code rolloutOperationId}).
     */
    @Put
    @Consumes({"application/zip", "application/gzip", "application/x-gzip", "application/x-tar+gzip", MediaType.APPLICATION_OCTET_STREAM})
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Problems.Forbidden
    @Problems.Conflict
    @Problems.Unprocessable
    @Operation(operationId = "uploadCode")
    public CodeView upload(UUID appId, UUID envId, @Body InputStream body, Authentication auth) {
        UUID caller = Caller.id(auth);
        EnvironmentRecord env = requireDeveloper(caller, appId, envId);
        if (env.type() != EnvironmentRecord.EnvironmentType.DEVELOPMENT) {
            throw ApiException.unprocessable("Code is uploaded to a development environment only; a " + env.type().name().toLowerCase()
                    + " environment gets its code by deploying a release");
        }
        if (env.status() == EnvironmentStatus.PROVISIONING || env.status() == EnvironmentStatus.DELETING
                || env.status() == EnvironmentStatus.DEPLOYING || env.status() == EnvironmentStatus.RESTORING) {
            throw ApiException.conflict("The environment is " + env.status() + "; upload when it is done");
        }
        requireIdle(envId);
        Path archive = receive(body);
        CodeView uploaded;
        // Once the archive is here: hold the environment, so that no operation (a deployment, a
        // deletion) starts while the code is installed, and check again that none is running.
        try (EnvironmentLocks.Hold hold = locks.tryHoldForUpload(envId)) {
            if (hold == null) {
                throw ApiException.conflict("Another upload, or an operation, is starting on this environment; try again");
            }
            requireIdle(envId);
            EnvironmentRecord now = environments.findById(envId).orElseThrow(() -> ApiException.notFound("environment " + envId));
            if (now.status() == EnvironmentStatus.DELETING || now.status() == EnvironmentStatus.PROVISIONING) {
                throw ApiException.conflict("The environment is " + now.status());
            }
            uploaded = CodeView.of(code.upload(appId, envId, archive, caller));
        } catch (CodeArchives.HostileArchiveException e) {
            throw ApiException.badRequest("archive", e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(archive);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
        // After the hold is released: the restart's operation row takes the environment's lock in its turn.
        return uploaded.rolledOutBy(rollout.afterUpload(caller, appId, envId).orElse(null));
    }

    /** The current code, as the canonical tar.gz that releases and clones copy; its SHA-256 is the ETag. */
    @Get
    @Problems.Forbidden
    @Problems.Conflict
    @Operation(operationId = "downloadCode")
    public HttpResponse<StreamedFile> download(UUID appId, UUID envId, Authentication auth) {
        EnvironmentRecord env = requireDeveloper(Caller.id(auth), appId, envId);
        EnvironmentCodeRecord current = code.current(env.id())
                .orElseThrow(() -> ApiException.notFound("code of this environment (none uploaded or deployed yet)"));
        return HttpResponse.ok(new StreamedFile(code.open(current), new MediaType("application/gzip"))
                        .attach("code-" + current.sha256() + ".tar.gz"))
                .header("ETag", "\"" + current.sha256() + "\"")
                .header("X-Code-Sha256", current.sha256());
    }

    private void requireIdle(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> {
            throw ApiException.busy("Operation " + op.id() + " (" + op.type() + ") is running on this environment", op.id().toString());
        });
    }

    private EnvironmentRecord requireDeveloper(UUID caller, UUID appId, UUID envId) {
        Access a = access.requireApp(caller, appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers handle its code");
        return env;
    }

    /** Streams the body to a temporary file, refusing it as soon as it passes the configured size. */
    private Path receive(InputStream body) {
        long max = settings.limits().maxArchiveBytes();
        Path file;
        try {
            file = Files.createTempFile("upload-", ".archive");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream in = body; OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > max) {
                    throw ApiException.badRequest("archive", "the archive is larger than " + max + " bytes");
                }
                out.write(buffer, 0, n);
            }
            if (total == 0) {
                throw ApiException.badRequest("archive", "the body is empty: send a zip or tar.gz archive");
            }
            return file;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new UncheckedIOException((IOException) e);
        }
    }
}
