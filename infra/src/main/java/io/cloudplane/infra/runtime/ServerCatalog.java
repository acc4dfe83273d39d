package io.cloudplane.infra.runtime;

import io.cloudplane.infra.config.CloudplaneSettings;
import jakarta.inject.Singleton;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The server versions an environment can run, from {@code cloudplane.server-versions}. Without
 * configuration the catalog holds two versions of the built-in app server. New environments get
 * {@code cloudplane.default-server-version}, or the last version listed.
 */
@Singleton
public class ServerCatalog {
    private static final Pattern NUMBER = Pattern.compile("[0-9]+");
    /** The local command of the built-in server; {java} and {builtin-classpath} are filled in at start. */
    public static final String BUILTIN_COMMAND = "{java} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx48m "
            + "-Xshare:auto -cp {builtin-classpath} " + "io.cloudplane.infra.runtime.builtin.BuiltinAppServer --version ";
    private final Map<String, ServerVersion> versions = new LinkedHashMap<>();
    private final String defaultVersion;

    public ServerCatalog(List<ServerVersionEntry> entries, CloudplaneSettings settings) {
        String defaultVersion = settings.defaultServerVersion();
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

    /** The newest version of the catalog that is newer than {@code version} (numeric parts compared), if any. */
    public Optional<ServerVersion> newerThan(String version) {
        return versions.values().stream().filter(v -> compare(v.version(), version) > 0)
                .max((a, b) -> compare(a.version(), b.version()));
    }

    /**
     * Compares dotted versions part by part ("1.10.0" after "1.9.2"): numbers by their value and
     * before any other text, as in Semantic Versioning, other parts as text. Comparing a number with
     * text as text ("10" before "1a" before "2" before "10") made it no order at all, so which version
     * was the newest depended on the order of the catalog.
     */
    public static int compare(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            int c = comparePart(p, q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int comparePart(String p, String q) {
        boolean pNumber = NUMBER.matcher(p).matches();
        boolean qNumber = NUMBER.matcher(q).matches();
        if (pNumber && qNumber) {
            return new BigInteger(p).compareTo(new BigInteger(q));
        }
        if (pNumber != qNumber) {
            return pNumber ? -1 : 1;
        }
        return p.compareTo(q);
    }

    public ServerVersion defaultVersion() {
        return versions.get(defaultVersion);
    }
}
