package io.cloudplane.infra.runtime;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server versions an environment can run, from {@code cloudplane.server-versions}. Without
 * configuration the catalog holds two versions of the built-in app server. New environments get
 * {@code cloudplane.default-server-version}, or the last version listed.
 */
@Singleton
public class ServerCatalog {
    /** The local command of the built-in server; {java} and {builtin-classpath} are filled in at start. */
    public static final String BUILTIN_COMMAND = "{java} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx48m "
            + "-Xshare:auto -cp {builtin-classpath} " + "io.cloudplane.infra.runtime.builtin.BuiltinAppServer --version ";
    private final Map<String, ServerVersion> versions = new LinkedHashMap<>();
    private final String defaultVersion;

    public ServerCatalog(List<ServerVersionEntry> entries, @Value("${cloudplane.default-server-version:}") String defaultVersion) {
        List<ServerVersionEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt(ServerVersionEntry::getIndex));
        for (ServerVersionEntry e : sorted) {
            if (e.getVersion() == null || e.getVersion().isBlank()) {
                throw new IllegalArgumentException("cloudplane.server-versions[" + e.getIndex() + "] has no version");
            }
            versions.put(e.getVersion(), new ServerVersion(e.getVersion(), e.getCommand(), e.getImage()));
        }
        if (versions.isEmpty()) {
            for (String v : List.of("1.0.0", "1.1.0")) {
                versions.put(v, new ServerVersion(v, BUILTIN_COMMAND + v, "cloudplane/builtin-server:" + v));
            }
        }
        String last = new ArrayList<>(versions.keySet()).get(versions.size() - 1);
        this.defaultVersion = defaultVersion.isBlank() ? last : defaultVersion;
        if (!versions.containsKey(this.defaultVersion)) {
            throw new IllegalArgumentException("cloudplane.default-server-version " + defaultVersion + " is not in the catalog");
        }
    }

    public List<ServerVersion> all() {
        return List.copyOf(versions.values());
    }

    public Optional<ServerVersion> find(String version) {
        return Optional.ofNullable(versions.get(version));
    }

    public ServerVersion defaultVersion() {
        return versions.get(defaultVersion);
    }
}
