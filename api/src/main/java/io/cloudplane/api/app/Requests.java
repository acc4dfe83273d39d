package io.cloudplane.api.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies. Unknown fields are refused, so that a typo is not silently ignored. */
public final class Requests {
    /** App and environment names: like Heroku's, so that they fit in a host name. */
    public static final String NAME_PATTERN = "^[a-z][a-z0-9-]*[a-z0-9]$";
    public static final String NAME_RULE = "must be 2 to 40 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen";

    private Requests() {
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CreateApp(@NotBlank @Size(min = 2, max = 40, message = NAME_RULE) @Pattern(regexp = NAME_PATTERN, message = NAME_RULE) String name) {
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record CreateEnvironment(
            @NotBlank @Size(min = 2, max = 40, message = NAME_RULE) @Pattern(regexp = NAME_PATTERN, message = NAME_RULE) String name,
            @NotBlank @Pattern(regexp = "development|staging|production|custom", message = "must be one of development, staging, production, custom") String type,
            @Nullable @Size(max = 500) String description) {
    }
}
