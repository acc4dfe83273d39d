package io.cloudplane.infra.config;

import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad setting stops the start, and the message names the key (in both forms) and the value. */
class SettingsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cloudplane.identity.bcrypt-cost | 3",
            "cloudplane.identity.max-failed-logins | 0",
            "cloudplane.identity.lockout | 0s",
            "cloudplane.identity.lockout | soon",
            "cloudplane.identity.bcrypt-cost | eleven",
            "cloudplane.identity.provider | ldap",
            "cloudplane.runtime | docker",
            "cloudplane.server-health-timeout | -5s",
            "cloudplane.session-lifetime-seconds | 10",
            "cloudplane.console-url | ftp://example.org",
            "cloudplane.mail.transport | pigeon",
            "cloudplane.mail.from | nobody",
            "cloudplane.mail.smtp.port | 70000",
            "cloudplane.code.max-entries | 0",
            "cloudplane.embedded.temporal.port | 70000",
            "cloudplane.embedded.s3.port | -1",
            "temporal.target | not a target",
            "cloudplane.sandbox.idle-period | 0s",
            "cloudplane.sandbox.deletion-notices | 100d",
            "cloudplane.sandbox.deletion-notices | 1d;2d",
    })
    void aBadValueStopsTheStartNamingTheKey(String key, String value) throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "settings-");
        Throwable failure = assertThrows(Throwable.class, () -> {
            try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                    .properties(Map.of("cloudplane.data-dir", dataDir.toString(), key, value)).start()) {
                context.getBean(SettingsCheck.class);
            }
        });
        String message = rootMessage(failure);
        assertTrue(message.contains(key) && message.contains(Settings.environmentName(key)) && message.contains(value),
                "the message names " + key + " and '" + value + "': " + message);
    }

    private static final Map<String, Object> COGNITO = Map.of(
            "cloudplane.identity.provider", "cognito",
            "cloudplane.identity.cognito.user-pool-id", "eu-west-1_AbC123",
            "cloudplane.identity.cognito.client-id", "client123");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cloudplane.identity.cognito.user-pool-id | AbC123",
            "cloudplane.identity.cognito.endpoint | ftp://example.org",
            "cloudplane.identity.cognito.issuer | not a url",
            "cloudplane.identity.cognito.clock-skew | 10m",
            "cloudplane.identity.cognito.clock-skew | soon",
            "cloudplane.identity.cognito.jwks-refresh-cooldown | 0s",
    })
    void aBadCognitoSettingStopsTheStartNamingTheKey(String key, String value) throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "settings-");
        Map<String, Object> properties = new java.util.HashMap<>(COGNITO);
        properties.put("cloudplane.data-dir", dataDir.toString());
        properties.put(key, value);
        Throwable failure = assertThrows(Throwable.class, () -> {
            try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(properties).start()) {
                context.getBean(SettingsCheck.class);
            }
        });
        String message = rootMessage(failure);
        assertTrue(message.contains(key) && message.contains(Settings.environmentName(key)) && message.contains(value),
                "the message names " + key + " and '" + value + "': " + message);
    }

    @Test
    void cognitoNeedsItsClientIdAndDerivesRegionAndIssuerFromThePool() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "settings-");
        Map<String, Object> withoutClient = new java.util.HashMap<>(COGNITO);
        withoutClient.remove("cloudplane.identity.cognito.client-id");
        withoutClient.put("cloudplane.data-dir", dataDir.toString());
        Throwable failure = assertThrows(Throwable.class, () -> {
            try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(withoutClient).start()) {
                context.getBean(SettingsCheck.class);
            }
        });
        assertTrue(rootMessage(failure).contains("CLOUDPLANE_IDENTITY_COGNITO_CLIENT_ID"), rootMessage(failure));

        var aws = new io.cloudplane.infra.identity.CognitoSettings("eu-west-1_AbC123", "c", null, null, null, null, null, null,
                java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(30));
        assertEquals("eu-west-1", aws.region());
        assertEquals("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123", aws.expectedIssuer());
        assertEquals("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json", aws.jwksUri().toString());
        var local = new io.cloudplane.infra.identity.CognitoSettings("local_AbC123", "c", null, null, "http://127.0.0.1:9229/", null,
                null, null, java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(30));
        assertEquals("http://127.0.0.1:9229/local_AbC123", local.expectedIssuer());
        assertTrue(!aws.toString().contains("secret"), aws.toString());
    }

    @Test
    void theDefaultsAreValid() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "settings-");
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                .properties(Map.of("cloudplane.data-dir", dataDir.toString(), "micronaut.server.port", 9123)).start()) {
            CloudplaneSettings settings = context.getBean(CloudplaneSettings.class);
            assertEquals(dataDir.toAbsolutePath().normalize(), settings.dataDir());
            assertEquals("local", settings.runtime());
            assertEquals("http://127.0.0.1:9123", settings.consoleUrl(), "by default, emails link to this process");
            assertEquals(java.time.Duration.ofSeconds(60), settings.serverHealthTimeout());
            assertEquals(11, context.getBean(io.cloudplane.infra.identity.IdentitySettings.class).bcryptCost());
            assertEquals(587, context.getBean(io.cloudplane.infra.mail.SmtpSettings.class).port());
            assertEquals(java.util.List.of(java.time.Duration.ofDays(14), java.time.Duration.ofDays(1)),
                    context.getBean(io.cloudplane.infra.sandbox.SandboxSettings.class).deletionNotices());
            assertEquals(7233, context.getBean(io.cloudplane.infra.embedded.EmbeddedTemporalSettings.class).port());
        }
    }

    @Test
    void environmentNamesFollowMicronautsMapping() {
        assertEquals("CLOUDPLANE_IDENTITY_BCRYPT_COST", Settings.environmentName("cloudplane.identity.bcrypt-cost"));
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
