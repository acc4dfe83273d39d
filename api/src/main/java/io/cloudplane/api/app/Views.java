package io.cloudplane.api.app;

import io.cloudplane.api.environment.EnvironmentServices;
import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.security.Access;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.workflows.sandbox.LifecyclePhase;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The JSON shapes of apps and environments. An object-valued field that may have no value is left
 * out rather than sent as null: OpenAPI 3.0 has no sound way to say "this $ref or null", so the
 * document says "optional", and that is what the JSON does.
 */
public final class Views {
    private Views() {
    }

    /** For a sandbox: its lifecycle, read from the workflow; null elsewhere, and in lists. */
    @Serdeable
    public record Lifecycle(LifecyclePhase phase, Instant lastStudioAccessAt, @Nullable Instant sleepsAt,
                            @Nullable Instant asleepSince, @Nullable List<Instant> deletionNoticesAt, @Nullable Instant deletesAt) {

        public static Lifecycle of(io.cloudplane.workflows.sandbox.LifecycleSchedule s) {
            return new Lifecycle(s.phase(), Instant.ofEpochMilli(s.lastStudioAccessAt()), instant(s.sleepsAt()), instant(s.asleepSince()),
                    s.deletionNoticesAt() == null ? null : s.deletionNoticesAt().stream().map(Instant::ofEpochMilli).toList(),
                    instant(s.deletesAt()));
        }

        private static Instant instant(Long millis) {
            return millis == null ? null : Instant.ofEpochMilli(millis);
        }
    }

    /**
     * {@code lifecycle}: a sandbox's, in a read of the app alone. {@code operation}: only in the 202
     * answer of the create (or clone) that started it.
     */
    @Serdeable
    public record AppView(UUID id, String name, String kind, String category, String role, UUID ownerId, String status,
                          Instant createdAt, Instant updatedAt,
                          @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                          Lifecycle lifecycle,
                          @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                          OperationView operation) {

        public AppView withLifecycle(Lifecycle l) {
            return new AppView(id, name, kind, category, role, ownerId, status, createdAt, updatedAt, l, operation);
        }

        public AppView withOperation(OperationView op) {
            return new AppView(id, name, kind, category, role, ownerId, status, createdAt, updatedAt, lifecycle, op);
        }

        public static AppView of(Access access, UUID callerId) {
            AppRecord app = access.app();
            String category = app.kind() == AppRecord.AppKind.SANDBOX && app.ownerId().equals(callerId) ? "sandbox"
                    : access.role() == Access.Role.OWNER ? "applications" : "shared";
            return new AppView(app.id(), app.name(), app.kind().name().toLowerCase(), category,
                    access.role().name().toLowerCase(), app.ownerId(), app.status().name(), app.createdAt(), app.updatedAt(), null, null);
        }
    }

    @Serdeable
    public record AppList(@Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                          AppView sandbox, List<AppView> applications,
                          List<AppView> shared) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Urls(@Nullable String preview, @Nullable String studio) {
    }

    /** {@code operation}: only in the 202 answer of the create that started it. */
    @Serdeable
    public record EnvironmentView(UUID id, UUID appId, String name, String type, @Nullable String description, String status,
                                  @Nullable String statusReason, String serverVersion, @Nullable String newerServerVersion,
                                  Urls urls, EnvironmentServices services, Instant createdAt, Instant updatedAt,
                                  @Schema(requiredMode = Schema.RequiredMode.NOT_REQUIRED) @JsonInclude(JsonInclude.Include.NON_NULL)
                                  OperationView operation,
                                  @Schema(description = "who reaches the environment's app through the gateway: public (anyone) "
                                          + "or members (its owner, developers and invited end users, signed in)",
                                          allowableValues = {"public", "members"}) String access) {

        public EnvironmentView withOperation(OperationView op) {
            return new EnvironmentView(id, appId, name, type, description, status, statusReason, serverVersion, newerServerVersion,
                    urls, services, createdAt, updatedAt, op, access);
        }

        /**
         * {@code newerServerVersion}: the newest version of the catalog above the environment's, or null when it is
         * the newest. {@code urls}: the gateway's, from the environment's host label (its server's own address is
         * never shown); the Studio's for development and staging only.
         */
        public static EnvironmentView of(EnvironmentRecord env, io.cloudplane.infra.runtime.ServerCatalog catalog,
                                         io.cloudplane.api.gateway.HostNames hosts) {
            String preview = env.hostLabel() == null ? null : hosts.url(env.hostLabel(), io.cloudplane.infra.gateway.GatewayDoor.APP);
            String studio = env.hostLabel() == null || !env.hasStudio() ? null
                    : hosts.url(env.hostLabel(), io.cloudplane.infra.gateway.GatewayDoor.STUDIO);
            return new EnvironmentView(env.id(), env.appId(), env.name(), env.type().name().toLowerCase(), env.description(),
                    env.status().name(), env.statusReason(), env.serverVersion(),
                    catalog.newerThan(env.serverVersion()).map(io.cloudplane.infra.runtime.ServerVersion::version).orElse(null),
                    new Urls(preview, studio),
                    EnvironmentServices.of(env.type()), env.createdAt(), env.updatedAt(), null,
                    env.access() == null ? null : env.access().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Serdeable
    public record EnvironmentList(List<EnvironmentView> items) {
    }
}
