package io.cloudplane.worker.sftp;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenSSH client ({@code /usr/bin/sftp}) driven from tests, as a person would use it:
 * batch files ({@code -b}), the host key checked strictly against a known_hosts file written from
 * {@code ssh-keyscan} only when its fingerprint is the one Cloudplane's API shows, and either a key
 * ({@code -i}, {@code BatchMode=yes}) or a password given by an {@code SSH_ASKPASS} script (no tty,
 * {@code SSH_ASKPASS_REQUIRE=force}). Fails with "install Debian's openssh-client" when it is missing.
 */
public final class OpenSshSftp {
    public static final Path SFTP = Path.of("/usr/bin/sftp");
    private static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");
    private static final Path SSH_KEYSCAN = Path.of("/usr/bin/ssh-keyscan");
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final String host;
    private final int port;
    private final String user;
    private final Path knownHosts;
    private final Path workDir;
    private Path key;
    private String password;
    private final List<String> extraOptions = new ArrayList<>();

    /** The exit code of {@code sftp}, what it wrote to stdout and to stderr. */
    public record Result(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }

        /**
         * The login refused: no command ran (sftp echoes each one as {@code sftp> …}), and ssh said why
         * ({@code Permission denied (publickey,…)}, or the server closed the connection).
         */
        public boolean loginRefused() {
            return exit != 0 && !stdout.contains("sftp>") && (stderr.contains("Permission denied (") || stderr.contains("Connection closed")
                    || stderr.contains("Too many authentication failures"));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** A key pair made by {@code ssh-keygen -t ed25519 -N ''}: the private key file and the public key's line. */
    public record Key(Path privateKey, String publicKey) {
    }

    /**
     * A client for {@code user} at {@code host:port}; {@code knownHosts} from {@link #knownHosts}; its batch
     * files and askpass scripts go into {@code workDir}.
     */
    public OpenSshSftp(String host, int port, String user, Path knownHosts, Path workDir) {
        requireInstalled();
        this.host = host;
        this.port = port;
        this.user = user;
        this.knownHosts = knownHosts;
        this.workDir = workDir;
    }

    public OpenSshSftp withKey(Key key) {
        this.key = key.privateKey();
        this.password = null;
        return this;
    }

    public OpenSshSftp withPassword(String password) {
        this.password = password;
        this.key = null;
        return this;
    }

    /** Another {@code -o} option for ssh, e.g. {@code Ciphers=aes128-ctr}. */
    public OpenSshSftp withOption(String option) {
        extraOptions.add(option);
        return this;
    }

    /** Forgets an option given with {@link #withOption}. */
    public OpenSshSftp withoutOption(String option) {
        extraOptions.remove(option);
        return this;
    }

    public static void requireInstalled() {
        for (Path binary : List.of(SFTP, SSH_KEYGEN, SSH_KEYSCAN, Path.of("/usr/bin/ssh"))) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: install Debian's openssh-client (apt-get install openssh-client;"
                        + " .ci/test does it)");
            }
        }
    }

    /** A new Ed25519 key pair in {@code dir}, named {@code name}. */
    public static Key newKey(Path dir, String name) throws IOException, InterruptedException {
        requireInstalled();
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir.resolve(name + ".pub"));
        Result made = run(List.of(SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file.toString()), null);
        if (!made.ok()) {
            throw new IllegalStateException("ssh-keygen failed: " + made);
        }
        return new Key(file, Files.readString(dir.resolve(name + ".pub")).strip());
    }

    /**
     * Writes {@code file} with the host keys {@code ssh-keyscan -p port host} reads whose SHA256 fingerprint
     * ({@code ssh-keygen -lf}) is {@code expectedFingerprint}; fails when none is, naming what was seen.
     */
    public static Path knownHosts(Path file, String host, int port, String expectedFingerprint) throws IOException, InterruptedException {
        requireInstalled();
        Result scan = run(List.of(SSH_KEYSCAN.toString(), "-p", Integer.toString(port), "-T", "10", host), null);
        List<String> kept = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        Path one = Files.createTempFile(file.getParent(), "scanned-", ".pub");
        try {
            for (String line : scan.stdout().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList()) {
                Files.writeString(one, line + "\n");
                Result print = run(List.of(SSH_KEYGEN.toString(), "-l", "-E", "sha256", "-f", one.toString()), null);
                String fingerprint = print.stdout().strip().split("\\s+").length > 1 ? print.stdout().strip().split("\\s+")[1] : "";
                seen.add(fingerprint);
                if (fingerprint.equals(expectedFingerprint)) {
                    kept.add(line);
                }
            }
        } finally {
            Files.deleteIfExists(one);
        }
        if (kept.isEmpty()) {
            throw new AssertionError("ssh-keyscan -p " + port + " " + host + " read no host key with the fingerprint " + expectedFingerprint
                    + " (seen: " + seen + ")\n" + scan);
        }
        Files.writeString(file, String.join("\n", kept) + "\n");
        return file;
    }

    /** {@code sftp -b <file>} with these commands (a leading {@code -} lets a command fail without ending the batch). */
    public Result batch(String... commands) throws IOException, InterruptedException {
        Path batch = Files.createTempFile(workDir, "batch-", ".txt");
        Files.writeString(batch, String.join("\n", commands) + "\n");
        try {
            return run(command(List.of("-b", batch.toString())), password == null ? null : askpass());
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    /**
     * An interactive {@code sftp} (no batch file) whose commands come through a pipe, kept open until
     * {@link Interactive#close()} or until the server ends the session.
     */
    public Interactive open() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(List.of()));
        environment(builder, password == null ? null : askpass());
        Path out = Files.createTempFile(workDir, "interactive-", ".out");
        builder.redirectErrorStream(true).redirectOutput(out.toFile());
        return new Interactive(builder.start(), out);
    }

    /** A {@code sftp} kept open: {@link #send} writes a command line, {@link #output} reads what it printed. */
    public static final class Interactive implements AutoCloseable {
        private final Process process;
        private final Path output;
        private final BufferedWriter in;

        Interactive(Process process, Path output) {
            this.process = process;
            this.output = output;
            this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        }

        public void send(String command) throws IOException {
            in.write(command);
            in.write('\n');
            in.flush();
        }

        public String output() throws IOException {
            return Files.readString(output);
        }

        public boolean alive() {
            return process.isAlive();
        }

        /**
         * Whether its connection is up: sftp's own ssh process runs. (When the server ends the session,
         * ssh exits and sftp prints "Connection closed", but sftp itself waits for the next command.)
         */
        public boolean connected() {
            return process.isAlive() && process.descendants().anyMatch(p -> p.isAlive()
                    && p.info().command().map(c -> c.endsWith("/ssh") || c.equals("ssh")).orElse(false));
        }

        public long pid() {
            return process.pid();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (process.isAlive()) {
                try {
                    send("bye");
                } catch (IOException ignored) {
                    // the pipe closed with the session
                }
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            Files.deleteIfExists(output);
        }
    }

    private List<String> command(List<String> tail) {
        List<String> command = new ArrayList<>(List.of(SFTP.toString(), "-P", Integer.toString(port),
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "CheckHostIP=no", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3"));
        if (key != null) {
            // options before -b: ssh keeps the first value of an option, and -b adds BatchMode itself
            command.addAll(List.of("-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey",
                    "-o", "PasswordAuthentication=no", "-i", key.toString()));
        } else if (password != null) {
            command.addAll(List.of("-o", "BatchMode=no", "-o", "PreferredAuthentications=password,keyboard-interactive",
                    "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-o", "IdentitiesOnly=yes",
                    "-o", "IdentityFile=/dev/null"));
        } else {
            throw new IllegalStateException("a key or a password first");
        }
        for (String option : extraOptions) {
            command.addAll(List.of("-o", option));
        }
        command.addAll(tail);
        command.add(user + "@" + host);
        return command;
    }

    /** A script that prints the password (owner-only), for {@code SSH_ASKPASS}. */
    private Path askpass() throws IOException {
        Path script = Files.createTempFile(workDir, "askpass-", ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' '" + password.replace("'", "'\"'\"'") + "'\n");
        return script;
    }

    private static void environment(ProcessBuilder builder, Path askpass) {
        builder.environment().remove("SSH_AUTH_SOCK");
        if (askpass != null) {
            builder.environment().put("SSH_ASKPASS", askpass.toString());
            builder.environment().put("SSH_ASKPASS_REQUIRE", "force");
            builder.environment().put("DISPLAY", ":0");
        }
    }

    static Result run(List<String> command, Path askpass) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        // no controlling tty, as a GUI client has none: ssh then asks SSH_ASKPASS, never the terminal
        if (askpass != null && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            full.add("/usr/bin/setsid");
            full.add("-w");
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        environment(builder, askpass);
        Process process = builder.start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + TIMEOUT);
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } finally {
            if (askpass != null) {
                Files.deleteIfExists(askpass);
            }
        }
    }

    /** A thread of its own per stream (the common pool has one thread on a 2-core machine: two drains would wait on each other). */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("(unreadable: " + e.getMessage() + ")");
            }
        }, "sftp-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
