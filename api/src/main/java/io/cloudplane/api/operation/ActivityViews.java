package io.cloudplane.api.operation;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Pages of an environment's activity log, with a cursor to the next page. */
@Singleton
public class ActivityViews {
    private final ActivityLogRepository entries;
    private final UserRepository users;

    public ActivityViews(ActivityLogRepository entries, UserRepository users) {
        this.entries = entries;
        this.users = users;
    }

    /** {@code who} is "system" for timers, otherwise the user's email. */
    @Serdeable
    public record Entry(long id, String action, String who, @Nullable UUID userId, String outcome, @Nullable String detail,
                        @Nullable UUID operationId, Instant at) {
    }

    @Serdeable
    public record Page(List<Entry> items, @Nullable String nextCursor) {
    }

    public Page page(UUID envId, int limit, String cursor) {
        long before;
        try {
            before = cursor == null || cursor.isBlank() ? Long.MAX_VALUE : Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("cursor", "not a cursor from a previous page");
        }
        List<ActivityLogRecord> rows = entries.findPage(envId, before, limit + 1);
        boolean more = rows.size() > limit;
        List<ActivityLogRecord> page = more ? rows.subList(0, limit) : rows;
        Map<UUID, String> emails = new HashMap<>();
        List<Entry> items = page.stream().map(r -> new Entry(r.id(), r.action(),
                r.actorUserId() == null ? "system" : emails.computeIfAbsent(r.actorUserId(),
                        id -> users.findById(id).map(UserRecord::email).orElse("deleted user")),
                r.actorUserId(), r.outcome().name(), r.detail(), r.operationId(), r.createdAt())).toList();
        return new Page(items, more ? Long.toString(page.get(page.size() - 1).id()) : null);
    }

}
