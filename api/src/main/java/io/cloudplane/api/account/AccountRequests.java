package io.cloudplane.api.account;

import io.cloudplane.api.common.Ids;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import io.cloudplane.infra.account.ApiTokenRecord;

import java.util.UUID;

public final class AccountRequests {
    private AccountRequests() {
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CreateAccount(@NotBlank @Email @Size(max = 254) String email,
                                @NotBlank @Size(min = 10, max = 128, message = "must be 10 to 128 characters") String password,
                                @NotBlank @Size(max = 100) String firstName,
                                @NotBlank @Size(max = 100) String lastName,
                                @Nullable @Size(max = 128) String invitationToken) {
        /** A sign-up without an invitation. */
        public CreateAccount(String email, String password, String firstName, String lastName) {
            this(email, password, firstName, lastName, null);
        }

        @Override
        public String toString() {
            return "CreateAccount[email=" + email + (invitationToken == null ? "" : ", with an invitation") + "]";
        }
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CreateSession(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 128) String password) {
        @Override
        public String toString() {
            return "CreateSession[email=" + email + "]";
        }
    }

    /**
     * {@code expiresInDays}: 1 to 365, 30 when absent. {@code scope}: {@code READ} (GET only) or
     * {@code READ_WRITE} (the default). {@code appId}: when given, the token reaches only that app,
     * which must be one the caller owns or develops.
     */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CreateToken(@NotBlank @Size(max = 100) String name,
                              @Nullable @Min(value = 1, message = "must be at least 1 day")
                              @Max(value = 365, message = "must be at most 365 days: tokens expire within a year") Integer expiresInDays,
                              @Nullable @Pattern(regexp = "READ|READ_WRITE", message = "must be READ or READ_WRITE") String scope,
                              @Nullable @Size(max = 36, message = "must be an app's ID") String appId) {
        /** READ_WRITE when absent, so that clients from before scopes get what they got. */
        public ApiTokenRecord.Scope scopeOrDefault() {
            return scope == null ? ApiTokenRecord.Scope.READ_WRITE : ApiTokenRecord.Scope.valueOf(scope);
        }

        /** The app the token is limited to, or null: a malformed ID answers 400 naming {@code appId}. */
        public UUID appIdOrNull() {
            return appId == null ? null : Ids.parse("appId", appId);
        }
    }
}
