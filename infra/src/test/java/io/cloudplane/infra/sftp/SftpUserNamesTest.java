package io.cloudplane.infra.sftp;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SftpUserNamesTest {

    @Test
    void aNameHoldsThePersonAndTheEnvironmentWithoutAnAt() {
        String name = SftpUserNames.of("Olive+Test@Example.com", "production-shop-1a2b3c4d5e6f");
        assertEquals("olive+test=example.com+production-shop-1a2b3c4d5e6f", name);
        assertFalse(name.contains("@"));
        assertEquals(Optional.of(new SftpUserNames.Parsed("olive+test@example.com", "production-shop-1a2b3c4d5e6f")),
                SftpUserNames.parse(name));
    }

    @Test
    void malformedNamesAreNotParsed() {
        for (String bad : new String[] {null, "", "olive", "olive+label", "=example.com+label", "olive=+label", "olive=example.com+",
                "olive=example.com+Bad_Label", "olive=example.com+-label"}) {
            assertTrue(SftpUserNames.parse(bad).isEmpty(), String.valueOf(bad));
        }
    }
}
