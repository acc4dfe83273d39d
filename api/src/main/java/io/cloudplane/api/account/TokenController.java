package io.cloudplane.api.account;

import io.cloudplane.api.problem.Problems;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.security.AccessService;
import io.cloudplane.api.security.ApiTokenValidator;
import io.cloudplane.api.security.Caller;
import io.cloudplane.infra.crypto.RandomTokens;
import io.cloudplane.infra.crypto.Sha256;
import io.cloudplane.infra.account.ApiTokenRecord;
import io.cloudplane.infra.account.ApiTokenRepository;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Named API tokens that expire within a year. The token is shown once; only its SHA-256 is kept. */
@Controller("/api/v1/tokens")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "tokens")
@Problems.Unauthorized
public class TokenController {
    private final ApiTokenRepository tokens;
    private final AccessService access;

    public TokenController(ApiTokenRepository tokens, AccessService access) {
        this.tokens = tokens;
        this.access = access;
    }

    /**
     * Creates an API token; the token is shown in this answer only. It may be read-only
     * ({@code scope: READ}) and limited to one app ({@code appId}, an app the caller owns or
     * develops); beyond its scope it answers 403 (404 for another app's resources).
     */
    @Post
    @Status(HttpStatus.CREATED)
    @Problems.BadRequest
    @Problems.Unprocessable
    @Operation(operationId = "createToken")
    public HttpResponse<AccountViews.Token> create(@Valid @Body AccountRequests.CreateToken request, Authentication auth) {
        UUID userId = Caller.id(auth);
        UUID appId = request.appIdOrNull();
        if (appId != null && !access.isMemberOf(userId, appId)) {
            // The same answer whether the app does not exist or is not the caller's.
            throw ApiException.unprocessable("appId", "is not an app you own or develop");
        }
        String token = ApiTokenValidator.PREFIX + RandomTokens.alphanumeric(40);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int days = request.expiresInDays() == null ? 30 : request.expiresInDays();
        ApiTokenRecord.Scope scope = request.scopeOrDefault();
        ApiTokenRecord saved = tokens.save(new ApiTokenRecord(UUID.randomUUID(), userId, request.name().trim(),
                Sha256.hex(token), token.substring(0, 8), now, now.plus(Duration.ofDays(days)), null, scope, appId));
        return HttpResponse.created(view(saved, token), URI.create("/api/v1/tokens/" + saved.id()));
    }

    /** The caller's API tokens, without the tokens themselves. */
    @Get
    @Operation(operationId = "listTokens")
    public AccountViews.TokenList list(Authentication auth) {
        return new AccountViews.TokenList(tokens.findByUser(Caller.id(auth)).stream().map(t -> view(t, null)).toList());
    }

    /** Revokes one of the caller's API tokens. */
    @Delete("/{id}")
    @Status(HttpStatus.NO_CONTENT)
    @Problems.BadRequest
    @Problems.NotFound
    @Operation(operationId = "revokeToken")
    public HttpResponse<Void> revoke(UUID id, Authentication auth) {
        ApiTokenRecord token = tokens.findById(id).filter(t -> t.userId().equals(Caller.id(auth)))
                .orElseThrow(() -> ApiException.notFound("Token " + id));
        tokens.delete(token);
        return HttpResponse.noContent();
    }

    private static AccountViews.Token view(ApiTokenRecord t, String token) {
        return new AccountViews.Token(t.id(), t.name(), t.hint(), t.createdAt(), t.expiresAt(), t.lastUsedAt(), t.scope(), t.appId(),
                token);
    }
}
