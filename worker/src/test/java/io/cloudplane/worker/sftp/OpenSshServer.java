package io.cloudplane.worker.sftp;

import io.cloudplane.worker.AllInOne;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenSSH server ({@code /usr/sbin/sshd}) as a foreground child process ({@code -D -e -f <config>})
 * on a free loopback port, with its own host key and config in a temp folder, serving SFTP with
 * {@code internal-sftp} to the current user with one test key: the yardstick of the SFTP benchmark.
 * Never the system's ssh service. Fails with "install Debian's openssh-server" when it is missing;
 * {@link #close()} kills it.
 */
public final class OpenSshServer implements AutoCloseable {
    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    private final Path dir;
    private final int port;
    private final String user;
    private final String hostKeyFingerprint;
    private final Process process;
    private final Path log;

    private OpenSshServer(Path dir, int port, String user, String hostKeyFingerprint, Process process, Path log) {
        this.dir = dir;
        this.port = port;
        this.user = user;
        this.hostKeyFingerprint = hostKeyFingerprint;
        this.process = process;
        this.log = log;
    }

    /** Starts sshd in {@code dir} (made if missing), letting in the current user with {@code clientKey}. */
    public static OpenSshServer start(Path dir, OpenSshSftp.Key clientKey) throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is missing: install Debian's openssh-server (apt-get install openssh-server;"
                    + " .ci/test does it)");
        }
        OpenSshSftp.requireInstalled();
        Files.createDirectories(dir);
        // sshd's privilege separation directory; Debian's package makes it only when its service starts
        Files.createDirectories(Path.of("/run/sshd"));
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        Files.deleteIfExists(hostKey);
        Files.deleteIfExists(dir.resolve("ssh_host_ed25519_key.pub"));
        OpenSshSftp.Result made = OpenSshSftp.run(List.of("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()), null);
        if (!made.ok()) {
            throw new IllegalStateException("ssh-keygen failed: " + made);
        }
        OpenSshSftp.Result fingerprint = OpenSshSftp.run(List.of("/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f", hostKey.toString()), null);
        Path authorized = dir.resolve("authorized_keys");
        Files.writeString(authorized, clientKey.publicKey() + "\n");
        int port = AllInOne.freePort();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + authorized,
                "PidFile none",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                "LogLevel INFO",
                "") );
        Path log = dir.resolve("sshd.log");
        Process process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String user = System.getProperty("user.name");
        OpenSshServer server = new OpenSshServer(dir, port, user, fingerprint.stdout().strip().split("\\s+")[1], process, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return server;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("sshd did not listen on 127.0.0.1:" + port + " within 15 s: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    public int port() {
        return port;
    }

    /** The user it lets in (the one running the tests). */
    public String user() {
        return user;
    }

    /** {@code SHA256:…} of its host key. */
    public String hostKeyFingerprint() {
        return hostKeyFingerprint;
    }

    public Path dir() {
        return dir;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        // the listener and each session's own process: the sessions end when their parent's socket does
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
