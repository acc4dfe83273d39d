package io.cloudplane.api.sftp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.problem.Problem;
import io.cloudplane.api.problem.Problems;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.sftp.SshKeyRecord;
import io.cloudplane.infra.sftp.SshKeyRepository;
import io.cloudplane.infra.sftp.SshPublicKeys;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The public keys on the caller's account, for SFTP logins (OpenSSH format: Ed25519, ECDSA, RSA of at
 * least 2048 bits). A key belongs to one person across Cloudplane, as on GitHub, so that a login's key
 * names exactly one person; each person's key names are their own.
 */
@Controller("/api/v1/account/ssh-keys")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "sftp")
@Problems.Unauthorized
public class SshKeyController {
    static final int MAX_NAME = 100;
    private final SshKeyRepository keys;

    public SshKeyController(SshKeyRepository keys) {
        this.keys = keys;
    }

    /** {@code name}: 1 to 100 printable characters; {@code publicKey}: one line as in a {@code .pub} file (its comment is dropped). */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record AddSshKey(@NotNull @Size(max = MAX_NAME, message = "must be 1 to 100 printable characters") String name,
                            @NotNull @Size(max = 16384, message = "must be one public key in OpenSSH format") String publicKey) {
    }

    @Serdeable
    public record SshKey(UUID id, String name, String type, String fingerprint, Instant createdAt, @Nullable Instant lastUsedAt) {
        static SshKey of(SshKeyRecord key) {
            return new SshKey(key.id(), key.name(), key.keyType(), key.fingerprint(), key.createdAt(), key.lastUsedAt());
        }
    }

    @Serdeable
    public record SshKeyList(List<SshKey> items) {
    }

    /** The caller's public keys (never anyone else's). */
    @Get
    @Operation(operationId = "listSshKeys")
    public SshKeyList list(Authentication auth) {
        return new SshKeyList(keys.findByUserIdOrderByCreatedAt(Caller.id(auth)).stream().map(SshKey::of).toList());
    }

    /** Registers a public key on the caller's account: 201 with it. 409 for a key already registered (by anyone) or a name already used. */
    @Post
    @Status(HttpStatus.CREATED)
    @Problems.BadRequest
    @Problems.Conflict
    @Operation(operationId = "addSshKey")
    public HttpResponse<SshKey> add(@Valid @Body AddSshKey request, Authentication auth) {
        UUID userId = Caller.id(auth);
        String name = validName(request.name());
        SshPublicKeys.Parsed parsed;
        try {
            parsed = SshPublicKeys.parse(request.publicKey());
        } catch (SshPublicKeys.RejectedKeyException e) {
            throw ApiException.badRequest("publicKey", e.getMessage());
        }
        refuseDuplicates(userId, name, parsed.fingerprint());
        SshKeyRecord saved;
        try {
            saved = keys.save(new SshKeyRecord(UUID.randomUUID(), userId, name, parsed.type(), parsed.openSsh(), parsed.fingerprint(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS), null));
        } catch (DataAccessException e) {
            // A concurrent registration won the unique index: the same answer as if it had come first.
            refuseDuplicates(userId, name, parsed.fingerprint());
            throw e;
        }
        return HttpResponse.created(SshKey.of(saved), URI.create("/api/v1/account/ssh-keys/" + saved.id()));
    }

    /** Removes one of the caller's keys: SFTP logins with it fail from now on. */
    @Delete("/{id}")
    @Status(HttpStatus.NO_CONTENT)
    @Problems.BadRequest
    @Problems.NotFound
    @Operation(operationId = "deleteSshKey")
    public HttpResponse<Void> delete(UUID id, Authentication auth) {
        SshKeyRecord key = keys.findByIdAndUserId(id, Caller.id(auth)).orElseThrow(() -> ApiException.notFound("SSH key " + id));
        keys.delete(key);
        return HttpResponse.noContent();
    }

    private void refuseDuplicates(UUID userId, String name, String fingerprint) {
        if (keys.findByFingerprint(fingerprint).isPresent()) {
            // Whose it is is not told: a key names one person, and only they need to know it is theirs.
            throw conflict("publicKey", "is already registered on a Cloudplane account (" + fingerprint + "): a key belongs to one person");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (keys.findByUserIdOrderByCreatedAt(userId).stream().anyMatch(k -> k.name().toLowerCase(Locale.ROOT).equals(lower))) {
            throw conflict("name", "is already the name of one of your keys");
        }
    }

    static String validName(String name) {
        String trimmed = name.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_NAME) {
            throw ApiException.badRequest("name", "must be 1 to 100 printable characters");
        }
        for (int i = 0; i < trimmed.length(); ) {
            int c = trimmed.codePointAt(i);
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.UNASSIGNED || type == Character.SURROGATE || type == Character.PRIVATE_USE
                    || type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw ApiException.badRequest("name", "must be 1 to 100 printable characters (no control or invisible characters)");
            }
            i += Character.charCount(c);
        }
        return trimmed;
    }

    private static ApiException conflict(String field, String message) {
        return new ApiException(HttpStatus.CONFLICT, field + ": " + message, List.of(new Problem.FieldError(field, message)), null, null);
    }
}
