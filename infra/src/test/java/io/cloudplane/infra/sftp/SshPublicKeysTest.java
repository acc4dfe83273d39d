package io.cloudplane.infra.sftp;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys made by OpenSSH's own ssh-keygen: the accepted ones get the fingerprint ssh-keygen -l prints. */
class SshPublicKeysTest {
    @TempDir
    Path dir;

    @Test
    void acceptsEd25519EcdsaAndRsaOf2048BitsWithOpenSshsFingerprint() throws Exception {
        for (String[] spec : List.of(new String[] {"ed25519", "256", "ssh-ed25519"}, new String[] {"ecdsa", "256", "ecdsa-sha2-nistp256"},
                new String[] {"ecdsa", "384", "ecdsa-sha2-nistp384"}, new String[] {"ecdsa", "521", "ecdsa-sha2-nistp521"},
                new String[] {"rsa", "2048", "ssh-rsa"})) {
            Path key = dir.resolve(spec[0] + spec[1]);
            run("ssh-keygen", "-q", "-t", spec[0], "-b", spec[1], "-N", "", "-C", "olive@laptop with a comment", "-f", key.toString());
            String pub = Files.readString(Path.of(key + ".pub"));
            SshPublicKeys.Parsed parsed = SshPublicKeys.parse(pub + "\n");
            assertEquals(spec[2], parsed.type());
            String printed = run("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").split(" ")[1];
            assertEquals(printed, parsed.fingerprint(), spec[0] + spec[1]);
            assertFalse(parsed.openSsh().contains("laptop"), "the comment is dropped: " + parsed.openSsh());
            String[] parts = pub.strip().split(" ");
            assertEquals(parts[0] + " " + parts[1], parsed.openSsh());
            Path privateKey = key;
            String pastedPrivate = Files.readString(privateKey);
            SshPublicKeys.RejectedKeyException e = assertThrows(SshPublicKeys.RejectedKeyException.class, () -> SshPublicKeys.parse(pastedPrivate));
            assertTrue(e.getMessage().contains("private key"), e.getMessage());
        }
    }

    @Test
    void refusesDsaShortRsaAndGarbageSayingWhy() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        String shortRsa = PublicKeyEntry.toString(rsa.generateKeyPair().getPublic());
        assertTrue(message(shortRsa).contains("1024 bits"), message(shortRsa));
        KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
        dsa.initialize(1024);
        String dsaKey = PublicKeyEntry.toString(dsa.generateKeyPair().getPublic());
        assertTrue(dsaKey.startsWith("ssh-dss "), dsaKey);
        assertTrue(message(dsaKey).contains("ssh-dss"), message(dsaKey));
        for (String garbage : new String[] {"", "   ", "hello", "ssh-ed25519", "ssh-ed25519 AAAAnot-base64!!", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",
                "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGyQ", "\u0000ssh-ed25519 AAAA"}) {
            assertThrows(SshPublicKeys.RejectedKeyException.class, () -> SshPublicKeys.parse(garbage), garbage);
        }
        String ecdsa = PublicKeyEntry.toString(KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic());
        assertTrue(message(ecdsa + "\n" + ecdsa).contains("one line"));
        assertTrue(message("command=\"ls\" " + ecdsa).contains("options"));
        assertEquals("ecdsa-sha2-nistp256", SshPublicKeys.parse(ecdsa).type());
    }

    private static String message(String text) {
        return assertThrows(SshPublicKeys.RejectedKeyException.class, () -> SshPublicKeys.parse(text)).getMessage();
    }

    private static String run(String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError(command[0] + " is missing: install Debian's openssh-client (.ci/test does)", e);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
