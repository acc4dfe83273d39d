package io.cloudplane.infra.sandbox;

import io.cloudplane.infra.config.Settings;
import io.cloudplane.workflows.sandbox.LifecycleSettings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * {@code cloudplane.sandbox.*}: a sandbox sleeps after {@code idle-period} without Studio access
 * (7d), is deleted {@code delete-after} (90d) once asleep, and its owner is warned at each of the
 * {@code deletion-notices} lead times before (14d,1d; at least one, each shorter than
 * {@code delete-after}: nothing is deleted without notice).
 */
@ConfigurationProperties("cloudplane.sandbox")
public record SandboxSettings(
        @Bindable(defaultValue = "7d") Duration idlePeriod,
        @Bindable(defaultValue = "90d") Duration deleteAfter,
        @Bindable(defaultValue = "14d,1d") List<Duration> deletionNotices) {

    public SandboxSettings {
        Settings.require(Settings.positive(idlePeriod), "cloudplane.sandbox.idle-period", "must be a positive duration such as 7d", idlePeriod);
        Settings.require(Settings.positive(deleteAfter), "cloudplane.sandbox.delete-after", "must be a positive duration such as 90d", deleteAfter);
        Settings.require(!deletionNotices.isEmpty(), "cloudplane.sandbox.deletion-notices",
                "needs at least one lead time: nothing is deleted without notice", "");
        for (Duration lead : deletionNotices) {
            Settings.require(Settings.positive(lead) && lead.compareTo(deleteAfter) < 0, "cloudplane.sandbox.deletion-notices",
                    "must hold positive lead times shorter than cloudplane.sandbox.delete-after (" + Settings.shown(deleteAfter) + ")", lead);
        }
        deletionNotices = List.copyOf(deletionNotices);
    }

    /** The durations the lifecycle workflow takes, in milliseconds. */
    public LifecycleSettings lifecycle() {
        return new LifecycleSettings(idlePeriod.toMillis(), deleteAfter.toMillis(), deletionNotices.stream().map(Duration::toMillis).toList());
    }
}
