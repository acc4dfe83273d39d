package io.cloudplane.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from Debian's packages ({@code postgresql-15} or newer, binaries under
 * {@code /usr/lib/postgresql/<major>/bin}), initialised into a temporary folder and started by the
 * test itself, the way an operator's external database would be: loopback only, passwords
 * (scram-sha-256) for every TCP login, and a role {@code cloudplane} that is NOSUPERUSER with
 * CREATEDB and CREATEROLE (like Amazon RDS's master user) owning the database {@code cloudplane},
 * to which no other role may connect (as the README advises).
 *
 * <p>PostgreSQL refuses to run as root. When the build runs as root (as CI does), initdb, the
 * server and pg_ctl run as Debian's {@code postgres} system user (made by the package) through
 * {@code runuser}, and the temporary folder is handed to that user; otherwise they run as the
 * build's own user. The superuser {@code postgres} is reached only over the folder's Unix socket.
 */
final class DebianPostgres implements AutoCloseable {
    static final String ROLE = "cloudplane";
    static final String DATABASE = "cloudplane";
    private static final String OS_USER = "postgres";
    private final Path binDir;
    private final Path dir;
    private final int port;
    private final String password = "cp" + java.util.UUID.randomUUID().toString().replace("-", "");
    private final boolean asRoot;
    private boolean started;

    private DebianPostgres(Path binDir, Path dir, int port, boolean asRoot) {
        this.binDir = binDir;
        this.dir = dir;
        this.port = port;
        this.asRoot = asRoot;
    }

    /** Initialises and starts a server, then makes the Cloudplane role and database; fails clearly when the package is missing. */
    static DebianPostgres start() throws IOException, InterruptedException {
        Path binDir = findBinDir();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("debian-pg-");
        if (asRoot) {
            handTo(dir, OS_USER);
        }
        DebianPostgres pg = new DebianPostgres(binDir, dir, AllInOne.freePort(), asRoot);
        try {
            pg.run(List.of(binDir.resolve("initdb").toString(), "-D", pg.data().toString(), "-U", "postgres", "-E", "UTF8",
                    "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"), true);
            pg.run(List.of(binDir.resolve("pg_ctl").toString(), "-D", pg.data().toString(), "-l", dir.resolve("server.log").toString(),
                    "-w", "-t", "60", "-o", "-p " + pg.port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                            + " -c fsync=off -c max_connections=200", "start"), true);
            pg.started = true;
            pg.psql("CREATE ROLE " + ROLE + " WITH LOGIN PASSWORD '" + pg.password + "' NOSUPERUSER CREATEDB CREATEROLE",
                    "CREATE DATABASE " + DATABASE + " OWNER " + ROLE, "REVOKE CONNECT ON DATABASE " + DATABASE + " FROM PUBLIC");
            return pg;
        } catch (IOException | RuntimeException | InterruptedException e) {
            pg.close();
            throw e;
        }
    }

    /** The newest {@code /usr/lib/postgresql/<major>/bin} of 15 or later (or {@code -Dcloudplane.test.pg-bin-dir}). */
    static Path findBinDir() {
        String given = System.getProperty("cloudplane.test.pg-bin-dir", "");
        if (!given.isBlank()) {
            return requireServer(Path.of(given));
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> majors = Files.list(root)) {
                var found = majors.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .filter(p -> Integer.parseInt(p.getFileName().toString()) >= 15)
                        .filter(p -> Files.isExecutable(p.resolve("bin/postgres")) && Files.isExecutable(p.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())));
                if (found.isPresent()) {
                    return found.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("No PostgreSQL server of version 15 or newer under /usr/lib/postgresql/<major>/bin: "
                + "this test runs Debian's own server; install it with `apt-get install postgresql` (as .ci/test does), "
                + "or point -Dcloudplane.test.pg-bin-dir at a folder holding initdb, pg_ctl, postgres and psql");
    }

    private static Path requireServer(Path bin) {
        for (String tool : List.of("initdb", "pg_ctl", "postgres", "psql")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new IllegalStateException(bin.resolve(tool) + " is missing: install Debian's postgresql package");
            }
        }
        return bin;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    String password() {
        return password;
    }

    Path binDir() {
        return binDir;
    }

    /** A connection as the Cloudplane role, which can read the catalogs (every database and role on the server). */
    Connection connect() throws java.sql.SQLException {
        return DriverManager.getConnection(jdbcUrl(), ROLE, password);
    }

    /** Runs statements as the superuser, over the Unix socket; returns psql's unaligned output. */
    String psql(String... statements) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("psql").toString(), "-h", dir.toString(), "-p",
                Integer.toString(port), "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
        for (String statement : statements) {
            command.add("-c");
            command.add(statement);
        }
        return run(command, false);
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** Runs a tool, as the server's OS user when {@code asServerUser} and the build is root; fails with its output. */
    private String run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asServerUser && asRoot) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).start();
        // pg_ctl's server inherits no pipe of ours: it logs to server.log.
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", full) + " did not finish within 90 s:\n" + output);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", full) + " failed (exit " + p.exitValue() + "):\n" + output
                    + serverLog());
        }
        return output.trim();
    }

    String serverLog() {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? "\nserver.log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void handTo(Path dir, String user) throws IOException {
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        try {
            view.setOwner(lookup.lookupPrincipalByName(user));
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
            view.setGroup(group);
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            throw new IllegalStateException("The build runs as root, and PostgreSQL refuses to: it runs as the '" + user
                    + "' system user that Debian's postgresql package makes, which is missing here; install the package", e);
        }
    }

    /** Stops the server (fast shutdown) and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (started) {
                run(List.of(binDir.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "stop"), true);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The settings an operator gives every Cloudplane process that uses this server: its database and
     * role, shared session and encryption keys (the processes must agree on them), and its client tools.
     */
    java.util.Map<String, String> cloudplaneSettings() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Map.of(
                "DATASOURCES_DEFAULT_URL", jdbcUrl(),
                "DATASOURCES_DEFAULT_USERNAME", ROLE,
                "DATASOURCES_DEFAULT_PASSWORD", password(),
                "CLOUDPLANE_JWT_SECRET", "session-" + java.util.UUID.randomUUID() + java.util.UUID.randomUUID(),
                "CLOUDPLANE_SECRET_KEY", java.util.Base64.getEncoder().encodeToString(key),
                "CLOUDPLANE_BACKUP_PG_BIN_DIR", binDir().toString());
    }
}
