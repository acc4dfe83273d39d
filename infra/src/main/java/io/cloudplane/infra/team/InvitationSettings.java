package io.cloudplane.infra.team;

import io.cloudplane.infra.config.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code cloudplane.invitation.*}: how long an invitation's token is valid ({@code ttl}, 7d; a resend
 * starts it again), and how many invitations an app may send in 24 hours ({@code daily-limit}, 50).
 */
@ConfigurationProperties("cloudplane.invitation")
public record InvitationSettings(
        @Bindable(defaultValue = "7d") Duration ttl,
        @Bindable(defaultValue = "50") int dailyLimit) {

    public InvitationSettings {
        Settings.require(Settings.positive(ttl) && ttl.compareTo(Duration.ofMinutes(1)) >= 0, "cloudplane.invitation.ttl",
                "must be a duration of at least one minute, such as 7d", ttl);
        Settings.require(dailyLimit >= 1, "cloudplane.invitation.daily-limit", "must be at least 1", dailyLimit);
    }
}
