package io.cloudplane.api.server;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Access;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.crypto.Redactor;
import io.cloudplane.infra.crypto.SecretBox;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The server's log: {@code ?tail=N} (default 100, at most 10,000) its last lines as text, or
 * {@code ?download=true} the whole of it as kept (the local runtime's current file and the one
 * rotated before it; on Kubernetes, the pod's log). The environment's database password is
 * replaced by {@code [redacted]} wherever a server printed it. Owners and developers only.
 */
@Controller("/api/v1/apps/{appId}/environments/{envId}/logs")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
@Problems.BadRequest
@Problems.NotFound
public class LogsController {
    private final AccessService access;
    private final EnvironmentRuntime runtime;
    private final SecretBox secrets;

    public LogsController(AccessService access, EnvironmentRuntime runtime, SecretBox secrets) {
        this.access = access;
        this.runtime = runtime;
        this.secrets = secrets;
    }

    /** The server's log, the database password redacted: the last `tail` lines, or all of it with `download=true`. */
    @Get(produces = MediaType.TEXT_PLAIN)
    @Problems.Forbidden
    @Operation(operationId = "getLogs")
    public HttpResponse<?> logs(UUID appId, UUID envId, @Nullable @QueryValue Integer tail,
                                @Nullable @QueryValue @Schema(type = "boolean") String download, Authentication auth) {
        boolean whole = flag("download", download);
        Access a = access.requireApp(Caller.id(auth), appId);
        EnvironmentRecord env = access.requireEnvironment(a, envId);
        a.requireTeam("Only the app's owner and developers read its server logs");
        Redactor redactor = Redactor.ofSealed(secrets, env.dbPassword());
        if (whole) {
            // Streamed: a log of any size is read and redacted a buffer at a time.
            return HttpResponse.ok(new StreamedFile(redactor.wrap(runtime.openLog(envId.toString())),
                            MediaType.TEXT_PLAIN_TYPE))
                    .header("Content-Disposition", "attachment; filename=\"" + env.name() + "-server.log\"");
        }
        int lines = tail == null ? 100 : tail;
        if (lines < 1 || lines > 10_000) {
            throw ApiException.badRequest("tail", "between 1 and 10000");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> last = runtime.tailLog(envId.toString(), lines);
        for (String line : last) {
            out.writeBytes((redactor.apply(line) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HttpResponse.ok(out.toByteArray()).contentType(MediaType.TEXT_PLAIN_TYPE);
    }

    /**
     * A boolean query parameter: {@code true} or {@code false}. Micronaut reads anything else as
     * false ({@code download=yes please}), which answers something the client did not ask for.
     */
    static boolean flag(String name, @Nullable String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.badRequest(name, "must be true or false");
    }
}
