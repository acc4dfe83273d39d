package io.cloudplane.api.server;

import io.cloudplane.api.problem.Problems;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.infra.runtime.ServerVersion;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.Comparator;
import java.util.List;

/** The server-version catalog, oldest first: which version new environments get, and which is the newest. */
@Controller("/api/v1/server-versions")
@Secured(SecurityRule.IS_AUTHENTICATED)
@Tag(name = "environments")
@Problems.Unauthorized
public class ServerVersionController {
    private final ServerCatalog catalog;

    public ServerVersionController(ServerCatalog catalog) {
        this.catalog = catalog;
    }

    @Serdeable
    public record VersionView(String version, @Nullable String image, boolean isDefault, boolean latest) {
    }

    @Serdeable
    public record Page(List<VersionView> items) {
    }

    /** The server-version catalog, newest last; `isDefault` marks the version new environments get. */
    @Get
    @Operation(operationId = "listServerVersions")
    public Page list() {
        List<ServerVersion> all = catalog.all().stream().sorted(Comparator.comparing(ServerVersion::version, ServerCatalog::compare)).toList();
        String latest = all.get(all.size() - 1).version();
        String def = catalog.defaultVersion().version();
        return new Page(all.stream().map(v -> new VersionView(v.version(), v.image(), v.version().equals(def), v.version().equals(latest)))
                .toList());
    }
}
