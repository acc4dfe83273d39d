package io.cloudplane.worker.sftp;

import io.cloudplane.infra.files.FileTrees;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test helpers against each other, without Cloudplane: OpenSSH's {@code sftp} ({@link OpenSshSftp}) logs
 * in with a key to Debian's {@code sshd} ({@link OpenSshServer}), moves a file both ways, and fails on what it
 * must fail on: a host key whose fingerprint is not the expected one, a key the server does not know, a
 * command that fails in a batch.
 */
class OpenSshSftpTest {

    @Test
    void sftpMovesAFileBothWaysWithAKeyAndRefusesAnUnknownHostKeyOrClientKey() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "openssh-").toAbsolutePath();
        try {
            OpenSshSftp.Key key = OpenSshSftp.newKey(dir.resolve("keys"), "client");
            assertTrue(key.publicKey().startsWith("ssh-ed25519 "), key.publicKey());
            try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), key)) {
                assertThrows(AssertionError.class, () -> OpenSshSftp.knownHosts(dir.resolve("wrong_known_hosts"), "127.0.0.1", sshd.port(),
                        "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "a host key with another fingerprint is not written");
                Path knownHosts = OpenSshSftp.knownHosts(dir.resolve("known_hosts"), "127.0.0.1", sshd.port(), sshd.hostKeyFingerprint());
                assertTrue(Files.readString(knownHosts).startsWith("[127.0.0.1]:" + sshd.port() + " ssh-ed25519 "), Files.readString(knownHosts));

                byte[] bytes = new byte[300_000];
                new Random(16).nextBytes(bytes);
                Path local = dir.resolve("local.bin");
                Files.write(local, bytes);
                Path remote = dir.resolve("remote");
                Files.createDirectories(remote);
                Path back = dir.resolve("back.bin");
                OpenSshSftp sftp = new OpenSshSftp("127.0.0.1", sshd.port(), sshd.user(), knownHosts, dir).withKey(key);
                OpenSshSftp.Result moved = sftp.batch("cd " + remote, "put " + local + " up.bin", "rename up.bin moved.bin",
                        "get moved.bin " + back, "ls -1");
                assertEquals(0, moved.exit(), moved + "\n" + sshd.log());
                assertArrayEquals(bytes, Files.readAllBytes(remote.resolve("moved.bin")));
                assertArrayEquals(bytes, Files.readAllBytes(back));
                assertTrue(moved.stdout().contains("moved.bin"), moved.toString());

                OpenSshSftp.Result failed = sftp.batch("cd " + remote, "get nothing-here.bin " + dir.resolve("x"), "put " + local + " never.bin");
                assertEquals(1, failed.exit(), "a failed command ends the batch: " + failed);
                assertFalse(Files.exists(remote.resolve("never.bin")), "nothing after the failed command ran");

                OpenSshSftp.Key stranger = OpenSshSftp.newKey(dir.resolve("keys"), "stranger");
                OpenSshSftp.Result refused = new OpenSshSftp("127.0.0.1", sshd.port(), sshd.user(), knownHosts, dir).withKey(stranger).batch("ls");
                assertTrue(refused.loginRefused(), refused.toString());
                assertTrue(refused.stderr().contains("Permission denied"), refused.toString());

                // another key known for that host and port: a man in the middle, as the client sees it
                Files.writeString(knownHosts, "[127.0.0.1]:" + sshd.port() + " " + OpenSshSftp.newKey(dir.resolve("keys"), "other-host").publicKey() + "\n");
                OpenSshSftp.Result spoofed = sftp.batch("ls");
                assertTrue(spoofed.exit() != 0 && spoofed.stderr().contains("Host key verification failed"), spoofed.toString());
            }
        } finally {
            FileTrees.delete(dir);
        }
    }
}
