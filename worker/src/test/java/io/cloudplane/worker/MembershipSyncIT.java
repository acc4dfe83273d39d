package io.cloudplane.worker;

import io.cloudplane.infra.account.LocalCredentialRepository;
import io.cloudplane.infra.account.UserRecord;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.identity.IdentitySettings;
import io.cloudplane.infra.identity.LocalIdentityProvider;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.security.token.jwt.generator.JwtTokenGenerator;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A membership change over HTTP with the worker running reaches the identity provider: the event
 * after the commit, the {@code membership-sync} workflow, its activities, and the provider's
 * declareMembership / withdrawMembership per environment of the app.
 */
@MicronautTest(transactional = false)
@Property(name = "membership-sync-it.recording", value = "true")
class MembershipSyncIT {
    @Inject @Client("/") HttpClient http;
    @Inject JwtTokenGenerator jwt;
    @Inject UserRepository users;
    @Inject AppRepository apps;
    @Inject AppMemberRepository members;
    @Inject EnvironmentRepository environments;
    @Inject ServerCatalog catalog;

    /** The local provider, recording what is declared to it. */
    @Singleton
    @Replaces(LocalIdentityProvider.class)
    @Requires(property = "membership-sync-it.recording", value = "true")
    static class RecordingIdentityProvider extends LocalIdentityProvider {
        static final Queue<String> CALLS = new ConcurrentLinkedQueue<>();

        RecordingIdentityProvider(UserRepository users, LocalCredentialRepository credentials, IdentitySettings settings) {
            super(users, credentials, settings);
        }

        @Override
        public void declareMembership(UUID userId, String email, UUID envId, String profile) {
            CALLS.add("declare " + email + " " + envId + " " + profile);
        }

        @Override
        public void withdrawMembership(UUID userId, String email, UUID envId) {
            CALLS.add("withdraw " + email + " " + envId);
        }
    }

    @Test
    void aProfileChangeIsDeclaredInEveryEnvironmentOfTheAppAndARemovalWithdrawn() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UserRecord owner = users.save(new UserRecord(UUID.randomUUID(), "sync-owner-" + UUID.randomUUID() + "@example.com", "O", "W", now));
        UserRecord developer = users.save(new UserRecord(UUID.randomUUID(), "sync-dev-" + UUID.randomUUID() + "@example.com", "D", "V", now));
        UUID appId = UUID.randomUUID();
        apps.save(new AppRecord(appId, owner.id(), "synced-" + appId.toString().substring(0, 8), AppRecord.AppKind.APPLICATION,
                AppRecord.AppStatus.ACTIVE, now, now));
        members.save(AppMemberRecord.of(appId, owner.id(), AppMemberRecord.Role.OWNER));
        members.save(AppMemberRecord.of(appId, developer.id(), AppMemberRecord.Role.DEVELOPER));
        // Rows as a finished provisioning leaves them: what is under test is the declaration, not the servers.
        UUID dev = environment(appId, "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, now);
        UUID staging = environment(appId, "staging", EnvironmentRecord.EnvironmentType.STAGING, now);
        String path = "/api/v1/apps/" + appId + "/environments/" + dev + "/members/" + developer.id();

        var changed = call(HttpRequest.PATCH(path, Map.of("profile", "user")), owner.id());
        assertEquals(HttpStatus.OK, changed.getStatus(), String.valueOf(changed.body()));
        await().atMost(Duration.ofSeconds(30)).until(() -> RecordingIdentityProvider.CALLS.containsAll(List.of(
                "declare " + developer.email() + " " + dev + " user", "declare " + developer.email() + " " + staging + " user")));

        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(path), owner.id()).getStatus());
        await().atMost(Duration.ofSeconds(30)).until(() -> RecordingIdentityProvider.CALLS.containsAll(List.of(
                "withdraw " + developer.email() + " " + dev, "withdraw " + developer.email() + " " + staging)));
    }

    private UUID environment(UUID appId, String name, EnvironmentRecord.EnvironmentType type, Instant now) {
        UUID envId = UUID.randomUUID();
        environments.save(new EnvironmentRecord(envId, appId, name, type, null, EnvironmentStatus.RUNNING, null,
                catalog.defaultVersion().version(), null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        return envId;
    }

    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, UUID user) {
        long now = Instant.now().getEpochSecond();
        request.bearerAuth(jwt.generateToken(Map.of("sub", user.toString(), "iat", now, "nbf", now, "exp", now + 600)).orElseThrow());
        try {
            return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            Map<String, Object> body = e.getResponse().getBody(Argument.mapOf(String.class, Object.class)).orElse(Map.of());
            return HttpResponse.<Map<String, Object>>status(e.getStatus()).body(body);
        }
    }
}
