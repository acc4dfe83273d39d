package io.cloudplane.api.team;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public final class TeamRequests {
    private TeamRequests() {
    }

    /** An invitation: the person, and their profile (one of the environment's application roles, any case). */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Invite(@NotBlank @Email @Size(max = 254) String email,
                         @NotBlank @Size(max = 100) String firstName,
                         @NotBlank @Size(max = 100) String lastName,
                         @NotBlank @Size(max = 64) String profile) {
    }
}
