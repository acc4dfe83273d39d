package io.cloudplane.api.account;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.team.TeamViews;
import io.cloudplane.infra.account.ApiTokenRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public final class AccountViews {
    private AccountViews() {
    }

    @Serdeable
    public record Account(UUID id, String email, String firstName, String lastName, Instant createdAt) {
    }

    /**
     * A new account, its sandbox, and the operation that provisions the sandbox; with an invitation,
     * the membership it made ({@code membership}). An account made through a user invitation has no
     * sandbox: {@code sandboxAppId} and {@code operation} are absent.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Created(Account account, @Nullable UUID sandboxAppId,
                          @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) OperationView operation,
                          @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) TeamViews.Membership membership) {
    }

    @Serdeable
    public record Session(String accessToken, String tokenType, long expiresIn) {
        @Override
        public String toString() {
            return "Session[tokenType=" + tokenType + "]";
        }
    }

    /**
     * {@code token} is present only in the answer to its creation: it is shown once. {@code appId}
     * is present when the token is limited to that app.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(UUID id, String name, String hint, Instant createdAt, Instant expiresAt, @Nullable Instant lastUsedAt,
                        ApiTokenRecord.Scope scope, @Nullable UUID appId, @Nullable String token) {
        @Override
        public String toString() {
            return "Token[id=" + id + ", name=" + name + "]";
        }
    }

    @Serdeable
    public record TokenList(List<Token> items) {
    }
}
