package io.cloudplane.infra.identity;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The names the Cognito adapter derives, which cognito-local does not check: the SECRET_HASH of an
 * app client with a secret (cognito-local ignores it; the expected value was computed with
 * {@code openssl dgst -sha256 -hmac <secret> -binary | base64}), group names within Cognito's rules,
 * and invitee placeholders.
 */
class CognitoIdentityProviderNamesTest {

    @Test
    void secretHashIsTheBase64HmacOfUsernameAndClientId() {
        assertEquals("GroZR02Mp87G7MbaJkt5oXGrQLizlO49mqRo3aVNfxk=",
                CognitoIdentityProvider.secretHash("s3cr3t-of-the-client", "3f2c6a1e-0000-4000-8000-000000000001", "client123"));
    }

    @Test
    void groupNamesFollowCognitosRulesAndKeepProfilesApart() {
        UUID env = UUID.fromString("0b7e2f4a-1111-4222-8333-444455556666");
        assertEquals("env-0b7e2f4a-1111-4222-8333-444455556666-sales+manager", CognitoIdentityProvider.groupName(env, " Sales Manager "));
        assertEquals(CognitoIdentityProvider.groupName(env, "sales manager"), CognitoIdentityProvider.groupName(env, "SALES MANAGER"),
                "profiles are matched whatever their case");
        assertNotEquals(CognitoIdentityProvider.groupName(env, "Sales Manager"), CognitoIdentityProvider.groupName(env, "Sales_Manager"));
        String longest = CognitoIdentityProvider.groupName(env, "x".repeat(60) + " y.z");
        assertTrue(longest.length() <= 128 && longest.matches("[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"), longest);
    }

    @Test
    void inviteePlaceholdersDependOnTheEmailOnly() {
        assertEquals(CognitoIdentityProvider.inviteeUsername("Ada@Example.com "), CognitoIdentityProvider.inviteeUsername("ada@example.com"));
        assertNotEquals(CognitoIdentityProvider.inviteeUsername("ada@example.com"), CognitoIdentityProvider.inviteeUsername("grace@example.com"));
        assertTrue(CognitoIdentityProvider.inviteeUsername("ada@example.com").startsWith("invitee-"));
    }
}
