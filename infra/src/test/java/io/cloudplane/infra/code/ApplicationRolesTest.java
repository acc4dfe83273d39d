package io.cloudplane.infra.code;

import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The profiles of an environment, read from the roles.json of its stored code (embedded PostgreSQL and S3). */
@MicronautTest(transactional = false)
class ApplicationRolesTest {
    @Inject ApplicationRoles roles;
    @Inject EnvironmentCode code;
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject EnvironmentRepository environments;
    @TempDir Path dir;

    @Test
    void theRolesOfTheCurrentCodeAreTheProfilesAndTheDefaultStandsWithoutCodeOrFile() throws IOException {
        EnvironmentRecord env = environment();
        assertEquals(new ApplicationRoles.Profiles(List.of("user"), ApplicationRoles.Profiles.Source.DEFAULT), roles.of(env.id()),
                "no code yet");

        upload(env, Map.of("index.html", "<p>hi</p>"));
        assertEquals(ApplicationRoles.Profiles.Source.DEFAULT, roles.of(env.id()).source(), "code without roles.json");

        upload(env, Map.of("index.html", "<p>hi</p>", "roles.json",
                "{\"privileges\": [{\"privilege\": \"all\"}], \"roles\": [{\"role\": \"Sales\", \"privileges\": [\"all\"]}, {\"role\": \"Manager\"}]}"));
        ApplicationRoles.Profiles profiles = roles.of(env.id());
        assertEquals(List.of("Sales", "Manager"), profiles.names());
        assertEquals(ApplicationRoles.Profiles.Source.ROLES_FILE, profiles.source());
        assertEquals("Manager", profiles.find(" manager ").orElseThrow(), "found whatever its case, spelled as declared");
        assertTrue(profiles.find("admin").isEmpty());

        upload(env, Map.of("shared/roles.json", "{\"roles\": [{\"role\": \"Deep\"}]}"));
        assertEquals(List.of("user"), roles.of(env.id()).names(), "only the file at the root counts");

        upload(env, Map.of("roles.json", "{\"roles\": []}"));
        var refused = assertThrows(ApplicationRoles.InvalidRolesException.class, () -> roles.of(env.id()));
        assertTrue(refused.getMessage().contains("\"roles\" must be an array of at least one"), refused.getMessage());
    }

    @Test
    void anInvalidFileIsRefusedWithWhatIsWrong() {
        assertEquals(List.of("A", "b c", "d-e.f_1"), roles.parse(bytes("{\"roles\": [{\"role\": \"A\"}, {\"role\": \"b c\"}, {\"role\": \"d-e.f_1\"}]}")));
        Map<String, String> refusals = Map.of(
                "not json", "is not JSON",
                "[]", "must be a JSON object",
                "{}", "\"roles\" must be an array",
                "{\"roles\": [\"Sales\"]}", "roles[0] must be an object with a string \"role\"",
                "{\"roles\": [{\"role\": 3}]}", "roles[0] must be an object",
                "{\"roles\": [{\"role\": \"\"}]}", "roles[0].role \"\" must be 1 to 64",
                "{\"roles\": [{\"role\": \" Sales\"}]}", "without a space at either end",
                "{\"roles\": [{\"role\": \"a/b\"}]}", "must be 1 to 64",
                "{\"roles\": [{\"role\": \"Sales\"}, {\"role\": \"SALES\"}]}", "roles[1].role \"SALES\" is declared twice",
                "{\"roles\": [{\"role\": \"" + "x".repeat(65) + "\"}]}", "must be 1 to 64");
        refusals.forEach((json, expected) -> {
            var e = assertThrows(ApplicationRoles.InvalidRolesException.class, () -> roles.parse(bytes(json)), json);
            assertTrue(e.getMessage().contains(expected), json + " -> " + e.getMessage());
        });
        assertThrows(ApplicationRoles.InvalidRolesException.class, () -> roles.parse(new byte[ApplicationRoles.MAX_FILE_BYTES + 1]));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void upload(EnvironmentRecord env, Map<String, String> files) throws IOException {
        Path zip = dir.resolve(UUID.randomUUID() + ".zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (var file : files.entrySet()) {
                z.putNextEntry(new ZipEntry(file.getKey()));
                z.write(bytes(file.getValue()));
                z.closeEntry();
            }
        }
        code.upload(env.appId(), env.id(), zip, null);
    }

    private EnvironmentRecord environment() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "roles-" + UUID.randomUUID() + "@example.com", "Ada", "Lovelace", now));
        AppRecord app = apps.save(new AppRecord(UUID.randomUUID(), owner.id(), "roles-" + UUID.randomUUID(), AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        UUID id = UUID.randomUUID();
        return environments.save(new EnvironmentRecord(id, app.id(), "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.PROVISIONING, null, "1.1.0", null, null, EnvironmentRecord.databaseNameFor(id), null, now, now));
    }
}
