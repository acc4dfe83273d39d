package io.cloudplane.api.sftp;

import io.cloudplane.infra.sftp.SftpSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SftpCiphersTest {

    @Test
    void theDefaultOffersAesOnlyGcmFirst() {
        List<String> offered = SftpServer.ciphers(SftpSettings.DEFAULT_CIPHERS).stream().map(f -> f.getName()).toList();
        assertEquals(List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"), offered);
        assertTrue(offered.stream().noneMatch(c -> c.contains("chacha20") || c.endsWith("-cbc")), offered.toString());
    }

    @Test
    void anUnknownCipherStopsTheStartWithItsName() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SftpServer.ciphers(List.of("aes128-gcm@openssh.com", "rot13")));
        assertTrue(e.getMessage().contains("rot13"), e.getMessage());
    }
}
