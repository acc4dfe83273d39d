package io.cloudplane.worker;

import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invitations end to end in the all-in-one: the owner invites a new person as a developer of the
 * development environment, the invitation workflow's email is in the outbox with the accept link, the
 * person signs up with its token and finds the app under {@code shared}; an end user invited to
 * production with a profile signs up the same way, gets no sandbox, and is listed with the profile.
 */
class InvitationIT {
    private static final Pattern LINK = Pattern.compile("/invitations/([A-Za-z0-9_-]{43})");
    private static final String PASSWORD = "correct-horse-battery";

    /** The accept link's token in the newest outbox email to {@code to}, once the workflow has sent it. */
    /** The token of the last invitation link mailed to {@code to} in the outbox, if any (also SecretLeakIT's). */
    static Optional<String> tokenMailedTo(Path outbox, String to) throws Exception {
        if (!Files.isDirectory(outbox)) {
            return Optional.empty();
        }
        List<Path> files;
        try (var list = Files.list(outbox)) {
            files = list.filter(f -> f.toString().endsWith(".eml")).sorted().toList();
        }
        Session session = Session.getInstance(new Properties());
        String found = null;
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                MimeMessage message = new MimeMessage(session, in);
                var recipients = message.getRecipients(Message.RecipientType.TO);
                if (recipients == null || !((InternetAddress) recipients[0]).getAddress().equalsIgnoreCase(to)) {
                    continue;
                }
                Matcher link = LINK.matcher(text(message));
                if (link.find()) {
                    found = link.group(1);
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private static String text(Part part) throws Exception {
        if (part.isMimeType("text/plain")) {
            return (String) part.getContent();
        }
        if (part.getContent() instanceof Multipart multipart) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                out.append(text(multipart.getBodyPart(i)));
            }
            return out.toString();
        }
        return "";
    }

    private static String newEmail(String who) {
        return who + "-" + UUID.randomUUID() + "@example.com";
    }

    @Test
    void anInvitedDeveloperSignsUpWithTheMailedTokenAndAnInvitedEndUserIsListedWithTheProfile() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "invitation-").toAbsolutePath();
        Path outbox = dataDir.resolve("outbox");
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of())) {
            cloudplane.start();
            String owner = cloudplane.signUp("owner", "Olive", "Owner");
            var app = cloudplane.call("POST", "/api/v1/apps", owner, Map.of("name", "team-app"));
            assertEquals(202, app.status(), app.raw());
            String appId = app.get("id");
            String development = app.get("operation.envId");
            assertEquals("SUCCEEDED", cloudplane.awaitCreated(app, owner, Duration.ofSeconds(90)).get("status"));
            String devMembers = "/api/v1/apps/" + appId + "/environments/" + development + "/members";

            // A new person, invited as a developer: the email carries the accept link.
            String devEmail = newEmail("grace");
            var invited = cloudplane.call("POST", devMembers, owner,
                    Map.of("email", devEmail, "firstName", "Grace", "lastName", "Hopper", "profile", "user"));
            assertEquals(201, invited.status(), invited.raw());
            assertEquals("DEVELOPER", invited.get("kind"));
            assertEquals("PENDING", invited.get("status"));
            assertNull(invited.get("token"));
            String devToken = await("the developer's invitation email").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> tokenMailedTo(outbox, devEmail), Optional::isPresent).orElseThrow();
            var shown = cloudplane.call("GET", "/api/v1/invitations/" + devToken, null, null);
            assertEquals(200, shown.status(), shown.raw());
            assertEquals("team-app", shown.get("appName"));
            assertEquals("Olive Owner", shown.get("inviterName"));

            var signedUp = cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", devEmail, "password", PASSWORD,
                    "firstName", "Grace", "lastName", "Hopper", "invitationToken", devToken));
            assertEquals(201, signedUp.status(), signedUp.raw());
            assertNotNull(signedUp.get("sandboxAppId"), "a developer gets a sandbox: " + signedUp.raw());
            assertEquals(appId, signedUp.get("membership.appId"));
            String grace = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", devEmail, "password", PASSWORD))
                    .get("accessToken");
            List<Map<String, Object>> shared = cloudplane.call("GET", "/api/v1/apps", grace, null).get("shared");
            assertEquals(List.of(appId), shared.stream().map(a -> a.get("id")).toList());
            assertEquals("developer", shared.get(0).get("role"));
            assertEquals(410, cloudplane.call("GET", "/api/v1/invitations/" + devToken, null, null).status(), "single use");

            // The developer works: uploads code to development and makes a release of it.
            byte[] code = Sites.onePage("<h1>by Grace</h1>");
            var upload = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(cloudplane.baseUrl() + "/api/v1/apps/" + appId + "/environments/" + development + "/code"))
                    .header("Authorization", "Bearer " + grace).header("Content-Type", "application/gzip")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(code)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, upload.statusCode(), upload.body());
            var release = cloudplane.call("POST", "/api/v1/apps/" + appId + "/releases", grace,
                    Map.of("name", "v1", "sourceEnvironmentId", development));
            assertEquals(202, release.status(), release.raw());
            assertEquals("SUCCEEDED", cloudplane.awaitOperation(release.get("operation.id"), grace, Duration.ofSeconds(90)).get("status"));
            // ... but may not delete the app, nor deploy to production (the owner's).
            assertEquals(403, cloudplane.call("DELETE", "/api/v1/apps/" + appId, grace, null).status());
            var production = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", owner,
                    Map.of("name", "production", "type", "production"));
            assertEquals(202, production.status(), production.raw());
            String productionId = production.get("id");
            var deploy = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + productionId + "/deployments", grace,
                    Map.of("releaseId", release.get("id")));
            assertEquals(403, deploy.status(), deploy.raw());
            // The owner removes the developer: their next call on the app is 404, and the app leaves their list.
            String graceId = signedUp.get("account.id");
            assertEquals(204, cloudplane.call("DELETE", devMembers + "/" + graceId, owner, null).status());
            assertEquals(404, cloudplane.call("GET", "/api/v1/apps/" + appId, grace, null).status());
            assertEquals(404, cloudplane.call("GET", "/api/v1/apps/" + appId + "/releases", grace, null).status());
            assertEquals(List.of(), cloudplane.call("GET", "/api/v1/apps", grace, null).get("shared"));

            // An end user of production, with a profile.
            String prodMembers = "/api/v1/apps/" + appId + "/environments/" + productionId + "/members";
            String endEmail = newEmail("end");
            var userInvited = cloudplane.call("POST", prodMembers, owner,
                    Map.of("email", endEmail, "firstName", "Eve", "lastName", "User", "profile", "USER"));
            assertEquals(201, userInvited.status(), userInvited.raw());
            assertEquals("USER", userInvited.get("kind"));
            String endToken = await("the end user's invitation email").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> tokenMailedTo(outbox, endEmail), Optional::isPresent).orElseThrow();
            var endUser = cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", endEmail, "password", PASSWORD,
                    "firstName", "Eve", "lastName", "User", "invitationToken", endToken));
            assertEquals(201, endUser.status(), endUser.raw());
            assertNull(endUser.get("sandboxAppId"), "an end user gets no sandbox: " + endUser.raw());
            String endUserId = endUser.get("account.id");
            var members = cloudplane.call("GET", prodMembers, owner, null);
            assertEquals(200, members.status(), members.raw());
            List<Map<String, Object>> people = members.get("members");
            Map<String, Object> listed = people.stream().filter(p -> endUserId.equals(p.get("userId"))).findFirst().orElseThrow();
            assertEquals("user", listed.get("kind"));
            assertEquals("user", listed.get("profile"));
            assertEquals(List.of(), members.get("invitations"), "accepted: no longer pending");
            String eve = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", endEmail, "password", PASSWORD))
                    .get("accessToken");
            var eveList = cloudplane.call("GET", "/api/v1/apps", eve, null);
            assertNull(eveList.get("sandbox"));
            assertEquals(List.of(), eveList.get("shared"), "an end user uses the application, not its control plane");
            assertEquals(403, cloudplane.call("GET", "/api/v1/apps/" + appId, eve, null).status());
            assertEquals(403, cloudplane.call("GET", "/api/v1/apps/" + appId + "/environments/" + productionId, eve, null).status());
            assertEquals(403, cloudplane.call("GET", prodMembers, eve, null).status());
            assertEquals(403, cloudplane.call("DELETE", "/api/v1/apps/" + appId, eve, null).status());
            assertFalse(cloudplane.call("GET", devMembers, owner, null).raw().contains(devEmail), "the removed developer is no longer listed");
        }
    }
}
