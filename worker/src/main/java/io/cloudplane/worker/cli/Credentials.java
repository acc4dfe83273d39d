package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where the CLI finds the API and its token: {@code CLOUDPLANE_API_URL} and {@code CLOUDPLANE_API_KEY} first, then
 * what {@code login} kept in {@code ~/.config/cloudplane/credentials} (JSON: apiUrl, token, email), readable by its
 * user only (0600, in a 0700 directory), as Heroku's {@code .netrc} and the AWS CLI's credentials are.
 */
record Credentials(String apiUrl, String token, String email) {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path file(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".config", "cloudplane", "credentials");
    }

    /** The effective settings: the environment's variables over the stored file. */
    static Credentials load(Map<String, String> env) throws IOException {
        Credentials stored = stored(env);
        String url = env.get("CLOUDPLANE_API_URL");
        if (url == null || url.isBlank()) {
            url = stored == null ? DEFAULT_URL : stored.apiUrl();
        }
        String key = env.get("CLOUDPLANE_API_KEY");
        if (key == null || key.isBlank()) {
            key = stored == null ? null : stored.token();
        }
        return new Credentials(url.replaceAll("/+$", ""), key, stored == null ? null : stored.email());
    }

    static Credentials stored(Map<String, String> env) throws IOException {
        Path file = file(env);
        if (!Files.exists(file)) {
            return null;
        }
        var node = JSON.readTree(file.toFile());
        return new Credentials(node.path("apiUrl").asText(DEFAULT_URL), node.path("token").asText(null), node.path("email").asText(null));
    }

    /** Written to a new 0600 file beside the old one, then moved over it: the token is never readable by others. */
    void save(Map<String, String> env) throws IOException {
        Path file = file(env);
        Path dir = file.getParent();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ObjectNode node = JSON.createObjectNode().put("apiUrl", apiUrl).put("token", token).put("email", email);
        Path temp = Files.createTempFile(dir, ".credentials", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static boolean delete(Map<String, String> env) throws IOException {
        return Files.deleteIfExists(file(env));
    }
}
