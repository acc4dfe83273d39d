package io.cloudplane.infra.app;

import io.micronaut.core.annotation.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * An app as the apps list needs it: its row, and the user's membership role in it, or null when the
 * user sees it only as an end user of one of its environments ({@link VisibleApps}).
 */
public record VisibleApp(UUID id, UUID ownerId, String name, AppRecord.AppKind kind, AppRecord.AppStatus status,
                         Instant createdAt, Instant updatedAt, @Nullable AppMemberRecord.Role memberRole) {

    public AppRecord app() {
        return new AppRecord(id, ownerId, name, kind, status, createdAt, updatedAt);
    }
}
