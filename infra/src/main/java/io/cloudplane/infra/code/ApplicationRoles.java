package io.cloudplane.infra.code;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The profiles a person can be given in an environment: the roles its application declares in
 * {@value #FILE} at the root of the environment's current code (seed 001: "The Profile is a Role you
 * defined in the application"), or {@link #DEFAULT_PROFILES} while it has no code or no such file.
 *
 * <p>The file has Qodly's shape: an object whose {@code roles} array holds one object per role, named
 * by its {@code role} field; other fields (privileges, ids) are the application's and are ignored:
 * <pre>{@code {"roles": [{"role": "Sales"}, {"role": "Manager", "privileges": ["…"]}]}}</pre>
 * A role's name is 1 to 64 letters, digits, spaces, {@code _ - .}, not blank at either end, unique
 * whatever its case; there is at least one. The file is read from the stored code object (so the
 * same on every runtime), at most {@value #MAX_FILE_BYTES} bytes, once per code digest: a code
 * object never changes under its digest.
 */
@Singleton
public class ApplicationRoles {
    public static final String FILE = "roles.json";
    /** Without a {@value #FILE}: one profile, every end user's. */
    public static final List<String> DEFAULT_PROFILES = List.of("user");
    static final int MAX_FILE_BYTES = 1 << 20;
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_.\\- ]{1,64}");
    private static final int MAX_KEPT = 1_000;

    private final EnvironmentCode code;
    private final JsonMapper json;
    private final Map<String, Profiles> bySha256 = new ConcurrentHashMap<>();

    /** The valid profiles, and where they come from. */
    public record Profiles(List<String> names, Source source) {
        public enum Source { ROLES_FILE, DEFAULT }

        /** The profile as the application spells it, for a name given in any case. */
        public Optional<String> find(String profile) {
            return names.stream().filter(n -> n.equalsIgnoreCase(profile == null ? "" : profile.strip())).findFirst();
        }
    }

    /** The environment's {@value #FILE} is there but not valid: the profiles cannot be known. */
    public static final class InvalidRolesException extends RuntimeException {
        public InvalidRolesException(String message) {
            super("The application's " + FILE + " is not valid: " + message);
        }
    }

    public ApplicationRoles(EnvironmentCode code, JsonMapper json) {
        this.code = code;
        this.json = json;
    }

    /** The profiles of the environment's current code; {@link InvalidRolesException} if its file is not valid. */
    public Profiles of(UUID envId) {
        Optional<EnvironmentCodeRecord> current = code.current(envId);
        if (current.isEmpty()) {
            return new Profiles(DEFAULT_PROFILES, Profiles.Source.DEFAULT);
        }
        EnvironmentCodeRecord record = current.get();
        Profiles kept = bySha256.get(record.sha256());
        if (kept != null) {
            return kept;
        }
        Profiles read = read(record);
        if (bySha256.size() >= MAX_KEPT) {
            bySha256.clear();
        }
        bySha256.put(record.sha256(), read);
        return read;
    }

    private Profiles read(EnvironmentCodeRecord record) {
        try (InputStream in = code.open(record);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(in)),
                     StandardCharsets.UTF_8.name())) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (name.equals(FILE) && entry.isFile()) {
                    if (entry.getSize() > MAX_FILE_BYTES) {
                        throw new InvalidRolesException("it is " + entry.getSize() + " bytes, over " + MAX_FILE_BYTES);
                    }
                    return new Profiles(parse(tar.readNBytes(MAX_FILE_BYTES + 1)), Profiles.Source.ROLES_FILE);
                }
            }
            return new Profiles(DEFAULT_PROFILES, Profiles.Source.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the code of environment " + record.envId() + ": " + e.getMessage(), e);
        }
    }

    /** The role names of a {@value #FILE}, in its order. */
    List<String> parse(byte[] bytes) {
        if (bytes.length > MAX_FILE_BYTES) {
            throw new InvalidRolesException("it is over " + MAX_FILE_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = json.readValue(bytes, Argument.of(JsonNode.class));
        } catch (IOException | RuntimeException e) {
            throw new InvalidRolesException("it is not JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRolesException("it must be a JSON object with a \"roles\" array");
        }
        JsonNode roles = root.get("roles");
        if (roles == null || !roles.isArray() || roles.size() == 0) {
            throw new InvalidRolesException("\"roles\" must be an array of at least one {\"role\": \"<name>\"}");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < roles.size(); i++) {
            JsonNode role = roles.get(i);
            JsonNode name = role != null && role.isObject() ? role.get("role") : null;
            if (name == null || !name.isString()) {
                throw new InvalidRolesException("roles[" + i + "] must be an object with a string \"role\"");
            }
            String value = name.getStringValue();
            if (!NAME.matcher(value).matches() || !value.equals(value.strip())) {
                throw new InvalidRolesException("roles[" + i + "].role \"" + value
                        + "\" must be 1 to 64 letters, digits, spaces, '_', '-' or '.', without a space at either end");
            }
            if (!seen.add(value.toLowerCase(Locale.ROOT))) {
                throw new InvalidRolesException("roles[" + i + "].role \"" + value + "\" is declared twice");
            }
            names.add(value);
        }
        return List.copyOf(names);
    }
}
