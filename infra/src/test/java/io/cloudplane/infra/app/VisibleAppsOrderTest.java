package io.cloudplane.infra.app;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VisibleAppsOrderTest {
    private static final Instant T = Instant.parse("2026-11-30T03:00:00.123456Z");

    @Test
    void ordersOldestFirstThenByIdAsPostgresOrdersUuids() {
        // PostgreSQL compares a uuid's bytes unsigned: 8000… sorts after 7fff…, where UUID.compareTo (signed) says the reverse
        VisibleApp high = app("80000000-0000-0000-0000-000000000000", T);
        VisibleApp low = app("7fffffff-ffff-ffff-ffff-ffffffffffff", T);
        VisibleApp lowTail = app("7fffffff-ffff-ffff-0000-000000000000", T);
        VisibleApp highTail = app("7fffffff-ffff-ffff-8000-000000000000", T);
        VisibleApp older = app("ffffffff-ffff-ffff-ffff-ffffffffffff", T.minusNanos(1000));
        List<VisibleApp> apps = new ArrayList<>(List.of(high, low, highTail, older, lowTail));
        apps.sort(VisibleApps.OLDEST_FIRST);
        assertEquals(List.of(older, lowTail, highTail, low, high), apps);
    }

    private static VisibleApp app(String id, Instant createdAt) {
        return new VisibleApp(UUID.fromString(id), UUID.randomUUID(), "a-" + id, AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, createdAt, createdAt, AppMemberRecord.Role.OWNER);
    }
}
