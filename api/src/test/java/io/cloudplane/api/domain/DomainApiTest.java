package io.cloudplane.api.domain;

import io.cloudplane.api.gateway.HostNames;
import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainRepository;
import io.cloudplane.infra.domain.TestCertificates;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.gateway.GatewayDoor;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.domain.DomainStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Custom domains over HTTP against the embedded PostgreSQL and Temporal, without a worker: each
 * domain's workflow is started (and signalled) but does not run here, so the tests set the row's
 * state as the workflow would. Every refusal names its field and changes nothing.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.domain.addresses", value = "203.0.113.7,2001:db8::7")
class DomainApiTest {
    private static final String PASSWORD = "correct-horse-battery";
    @Inject @Client("/") HttpClient http;
    @Inject DomainRepository domains;
    @Inject EnvironmentRepository environments;
    @Inject AppMemberRepository members;
    @Inject EnvironmentUserRepository environmentUsers;
    @Inject HostNames hostNames;
    @Inject WorkflowClient temporal;

    private record User(UUID id, String token) {
    }

    private record App(UUID id, UUID development, UUID staging, UUID production) {
    }

    @Test
    void theOwnerAddsADomainAndIsShownTheExactRecordsToCreate() {
        User owner = signUp();
        App app = createApp(owner);
        String host = unique("shop") + ".example.com";
        var created = call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", " " + host.toUpperCase() + ". ")), owner);
        assertEquals(HttpStatus.CREATED, created.getStatus(), String.valueOf(created.body()));
        Map<String, Object> domain = created.body();
        String id = (String) domain.get("id");
        assertEquals(domains(app, app.staging()) + "/" + id, created.header("Location"));
        assertEquals(host, domain.get("hostname"), "lower case, no trailing dot");
        assertEquals(host, domain.get("unicodeHostname"));
        assertEquals("PENDING_VERIFICATION", domain.get("status"));
        DomainRecord row = domains.findById(UUID.fromString(id)).orElseThrow();
        String gatewayHost = hostNames.host(environments.findById(app.staging()).orElseThrow().hostLabel(), GatewayDoor.APP);
        assertEquals(List.of(Map.of("type", "TXT", "name", "_cloudplane-challenge." + host, "value", row.challengeToken()),
                Map.of("type", "CNAME", "name", host, "value", gatewayHost)), domain.get("records"));
        assertTrue(row.challengeToken().matches("cp-[0-9a-f]{40}"), row.challengeToken());
        assertNull(domain.get("lastCheck"));
        assertNull(domain.get("certificate"));
        assertNotNull(domain.get("createdAt"));
        assertTrue(running(id), "its workflow was started");

        assertEquals(domain, call(HttpRequest.GET(domains(app, app.staging()) + "/" + id), owner).body());
        var list = call(HttpRequest.GET(domains(app, app.staging())), owner);
        assertEquals(List.of(domain), list.body().get("items"));
        assertEquals(List.of(), call(HttpRequest.GET(domains(app, app.production())), owner).body().get("items"));

        // the check's result in words, as the workflow writes it
        domains.recordCheck(row.id(), Instant.now(), "No TXT record at _cloudplane-challenge." + host);
        Map<?, ?> check = (Map<?, ?>) call(HttpRequest.GET(domains(app, app.staging()) + "/" + id), owner).body().get("lastCheck");
        assertEquals("No TXT record at _cloudplane-challenge." + host, check.get("result"));
    }

    @Test
    void anInternationalizedNameIsStoredAsPunycodeAndShownInBothForms() {
        User owner = signUp();
        App app = createApp(owner);
        String label = unique("bücher");
        var created = call(HttpRequest.POST(domains(app, app.production()), Map.of("hostname", label + ".Example.com")), owner);
        assertEquals(HttpStatus.CREATED, created.getStatus(), String.valueOf(created.body()));
        String ascii = java.net.IDN.toASCII(label) + ".example.com";
        assertTrue(ascii.startsWith("xn--"), ascii);
        assertEquals(ascii, created.body().get("hostname"));
        assertEquals(label + ".example.com", created.body().get("unicodeHostname"));
        assertEquals(ascii, domains.findById(UUID.fromString((String) created.body().get("id"))).orElseThrow().hostname());
        assertEquals(HttpStatus.CONFLICT, call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", ascii)), owner).getStatus(),
                "the same name in punycode is the same domain");
    }

    @Test
    void anApexDomainGetsTheConfiguredAddressesInsteadOfACname() {
        User owner = signUp();
        App app = createApp(owner);
        String apex = unique("apex") + ".co.uk";
        var created = call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", apex)), owner);
        assertEquals(HttpStatus.CREATED, created.getStatus(), String.valueOf(created.body()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) created.body().get("records");
        assertEquals(List.of("TXT", "A", "AAAA"), records.stream().map(r -> r.get("type")).toList());
        assertEquals(List.of(apex, apex), records.subList(1, 3).stream().map(r -> r.get("name")).toList());
        assertEquals(List.of("203.0.113.7", "2001:db8::7"), records.subList(1, 3).stream().map(r -> r.get("value")).toList());

        var sub = call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", "www." + apex)), owner);
        assertEquals("CNAME", ((List<?>) sub.body().get("records")).stream().map(r -> ((Map<?, ?>) r).get("type")).toList().get(1),
                "a subdomain of an apex is no apex");
    }

    @Test
    void invalidNamesAreRefusedNamingTheFieldAndChangeNothing() {
        User owner = signUp();
        App app = createApp(owner);
        String base = hostNames.domain();
        List<Object> refused = List.of("", "   ", "single", "-shop.example.com", "shop-.example.com", "a..example.com",
                "x".repeat(64) + ".example.com", ("a".repeat(60) + ".").repeat(4) + "example.com", "under_score.example.com",
                "shop example.com", "192.0.2.10", "2001:db8::1", "[2001:db8::1]", "10.0.0.1.", "app." + base, base, "co.uk",
                "shop.example.com/path", "shop\u0000.example.com", 7, List.of("shop.example.com"));
        for (Object hostname : refused) {
            Map<String, Object> body = new HashMap<>();
            body.put("hostname", hostname);
            var answer = call(HttpRequest.POST(domains(app, app.staging()), body), owner);
            assertProblem(answer, HttpStatus.BAD_REQUEST, hostname);
            assertEquals("hostname", errorField(answer), String.valueOf(answer.body()));
        }
        assertProblem(call(HttpRequest.POST(domains(app, app.staging()), Map.of()), owner), HttpStatus.BAD_REQUEST, "missing");
        assertProblem(call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", unique("x") + ".example.com", "extra", 1)),
                owner), HttpStatus.BAD_REQUEST, "unknown field");
        assertEquals(0, domains.countByEnvId(app.staging()), "nothing was added");

        var development = call(HttpRequest.POST(domains(app, app.development()), Map.of("hostname", unique("dev") + ".example.com")), owner);
        assertProblem(development, HttpStatus.UNPROCESSABLE_ENTITY, "development");
        assertEquals(0, domains.countByEnvId(app.development()));
    }

    @Test
    void aNameIsUsedOnceInAllOfCloudplaneAndAnEnvironmentHasAtMostTwenty() {
        User owner = signUp();
        App app = createApp(owner);
        String host = unique("once") + ".example.com";
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", host)), owner).getStatus());
        User other = signUp();
        App othersApp = createApp(other);
        var taken = call(HttpRequest.POST(domains(othersApp, othersApp.production()), Map.of("hostname", host.toUpperCase())), other);
        assertProblem(taken, HttpStatus.CONFLICT, "another tenant");
        assertEquals("hostname", errorField(taken));
        assertEquals(0, domains.countByEnvId(othersApp.production()));

        for (int i = 1; i < 20; i++) {
            var added = call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", "d" + i + "." + host)), owner);
            assertEquals(HttpStatus.CREATED, added.getStatus(), String.valueOf(added.body()));
        }
        var twentyFirst = call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", "d21." + host)), owner);
        assertProblem(twentyFirst, HttpStatus.CONFLICT, "the 21st");
        assertTrue(((String) twentyFirst.body().get("detail")).contains("20"), String.valueOf(twentyFirst.body()));
        assertEquals(20, domains.countByEnvId(app.staging()));
        assertEquals(HttpStatus.CREATED, call(HttpRequest.POST(domains(app, app.production()), Map.of("hostname", "d21." + host)), owner)
                .getStatus(), "the limit is per environment");
    }

    @Test
    void theOwnerWritesTheOwnerAndDevelopersReadAnEndUserGets403AndOthers404() {
        User owner = signUp();
        App app = createApp(owner);
        String id = (String) call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", unique("who") + ".example.com")), owner)
                .body().get("id");
        String one = domains(app, app.staging()) + "/" + id;
        User developer = signUp();
        members.save(AppMemberRecord.of(app.id(), developer.id(), AppMemberRecord.Role.DEVELOPER));
        User endUser = signUp();
        environmentUsers.save(EnvironmentUserRecord.of(app.staging(), endUser.id()));
        User stranger = signUp();

        assertEquals(HttpStatus.OK, call(HttpRequest.GET(one), developer).getStatus());
        assertEquals(HttpStatus.OK, call(HttpRequest.GET(domains(app, app.staging())), developer).getStatus());
        Map<String, Object> cert = Map.of("certificate", "x", "privateKey", "y");
        for (User refused : List.of(developer, endUser, stranger)) {
            HttpStatus expected = refused == stranger ? HttpStatus.NOT_FOUND : HttpStatus.FORBIDDEN;
            assertProblem(call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", unique("r") + ".example.com")), refused),
                    expected, "add");
            assertProblem(call(HttpRequest.POST(one + "/verify", ""), refused), expected, "verify");
            assertProblem(call(HttpRequest.PUT(one + "/certificate", cert), refused), expected, "upload");
            assertProblem(call(HttpRequest.DELETE(one), refused), expected, "remove");
        }
        assertProblem(call(HttpRequest.GET(one), endUser), HttpStatus.FORBIDDEN, "an end user reads nothing of the control plane");
        assertProblem(call(HttpRequest.GET(one), stranger), HttpStatus.NOT_FOUND, "not revealed");
        assertProblem(call(HttpRequest.GET(domains(app, app.production()) + "/" + id), owner), HttpStatus.NOT_FOUND, "another environment's");
        assertEquals(1, domains.countByEnvId(app.staging()), "nothing changed");
    }

    @Test
    void verifyChecksNowAndAFailedDomainBeginsAFreshPeriod() {
        User owner = signUp();
        App app = createApp(owner);
        String id = (String) call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", unique("v") + ".example.com")), owner)
                .body().get("id");
        String one = domains(app, app.staging()) + "/" + id;
        var verified = call(HttpRequest.POST(one + "/verify", ""), owner);
        assertEquals(HttpStatus.ACCEPTED, verified.getStatus(), String.valueOf(verified.body()));
        assertEquals("PENDING_VERIFICATION", verified.body().get("status"));

        domains.markFailed(UUID.fromString(id), "No TXT record at _cloudplane-challenge…", Instant.now());
        assertEquals("No TXT record at _cloudplane-challenge…", call(HttpRequest.GET(one), owner).body().get("failureReason"));
        var again = call(HttpRequest.POST(one + "/verify", ""), owner);
        assertEquals(HttpStatus.ACCEPTED, again.getStatus());
        assertEquals("PENDING_VERIFICATION", again.body().get("status"));
        assertNull(again.body().get("failureReason"));
        assertTrue(running(id));
    }

    /** A DNS check under way is cancelled through the domain's workflow; in any other state the 409 says why. */
    @Test
    void aDnsCheckUnderWayIsCancelledThroughTheWorkflowAndAnotherStateIsRefusedInWords() {
        User owner = signUp();
        App app = createApp(owner);
        String id = (String) call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", unique("c") + ".example.com")), owner)
                .body().get("id");
        String one = domains(app, app.staging()) + "/" + id;
        User developer = signUp();
        members.save(io.cloudplane.infra.app.AppMemberRecord.of(app.id(), developer.id(), io.cloudplane.infra.app.AppMemberRecord.Role.DEVELOPER));
        assertProblem(call(HttpRequest.POST(one + "/cancel-check", ""), developer), HttpStatus.FORBIDDEN, "a developer cancels a check");

        var cancelled = call(HttpRequest.POST(one + "/cancel-check", ""), owner);
        assertEquals(HttpStatus.ACCEPTED, cancelled.getStatus(), String.valueOf(cancelled.body()));
        assertEquals(id, cancelled.body().get("id"));
        assertTrue(temporal.fetchHistory(io.cloudplane.workflows.common.WorkflowIds.domain(id)).getEvents().stream()
                .anyMatch(e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED),
                "the domain's workflow was asked to cancel its check");

        domains.markFailed(UUID.fromString(id), "The DNS check was cancelled on request", Instant.now());
        var refused = call(HttpRequest.POST(one + "/cancel-check", ""), owner);
        assertEquals(HttpStatus.CONFLICT, refused.getStatus(), String.valueOf(refused.body()));
        assertTrue(String.valueOf(refused.body().get("detail")).contains("The domain is FAILED"), String.valueOf(refused.body()));
    }

    @Test
    void anUploadedCertificateIsCheckedStoredWithItsKeySealedAndNeverShown() {
        User owner = signUp();
        App app = createApp(owner);
        String host = unique("tls") + ".example.com";
        String id = (String) call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", host)), owner).body().get("id");
        String upload = domains(app, app.staging()) + "/" + id + "/certificate";
        TestCertificates.Issued root = TestCertificates.root("Test root");
        TestCertificates.Issued intermediate = root.intermediate("Test intermediate");
        TestCertificates.Issued leaf = intermediate.leaf(host);
        Map<String, Object> good = Map.of("certificate", leaf.chainPem(intermediate), "privateKey", leaf.privateKeyPem());

        var early = call(HttpRequest.PUT(upload, good), owner);
        assertProblem(early, HttpStatus.CONFLICT, "not verified");
        assertTrue(((String) early.body().get("detail")).contains("verified"), String.valueOf(early.body()));
        domains.markVerified(UUID.fromString(id), Instant.now());

        Map<String, Map<String, Object>> bad = Map.of(
                "privateKey", Map.of("certificate", leaf.chainPem(intermediate), "privateKey", intermediate.leaf(host).privateKeyPem()),
                "certificate", Map.of("certificate", intermediate.leaf(leaf.keyPair(), Instant.now().minus(Duration.ofHours(1)),
                        Instant.now().plus(Duration.ofDays(90)), "other.example.com").chainPem(intermediate), "privateKey", leaf.privateKeyPem()));
        for (var refusal : bad.entrySet()) {
            var answer = call(HttpRequest.PUT(upload, refusal.getValue()), owner);
            assertProblem(answer, HttpStatus.BAD_REQUEST, refusal.getKey());
            assertEquals(refusal.getKey(), errorField(answer));
        }
        var expiredLeaf = intermediate.leaf(TestCertificates.ecKeyPair(), Instant.now().minus(Duration.ofDays(100)),
                Instant.now().minus(Duration.ofDays(10)), host);
        var expired = call(HttpRequest.PUT(upload, Map.of("certificate", expiredLeaf.chainPem(intermediate), "privateKey",
                expiredLeaf.privateKeyPem())), owner);
        assertProblem(expired, HttpStatus.BAD_REQUEST, "expired");
        assertEquals("certificate", errorField(expired));
        assertFalse(domains.findById(UUID.fromString(id)).orElseThrow().hasCertificate(), "refusals stored nothing");

        var stored = call(HttpRequest.PUT(upload, good), owner);
        assertEquals(HttpStatus.OK, stored.getStatus(), String.valueOf(stored.body()));
        Map<?, ?> certificate = (Map<?, ?>) stored.body().get("certificate");
        assertEquals("UPLOADED", certificate.get("source"));
        assertTrue(((String) certificate.get("issuer")).contains("Test intermediate"), String.valueOf(certificate));
        assertEquals(leaf.certificate().getNotAfter().toInstant(), Instant.parse((String) certificate.get("notAfter")));
        String keyBody = leaf.privateKeyPem().replaceAll("-----[A-Z ]+-----|\\s", "").substring(0, 40);
        assertFalse(String.valueOf(stored.body()).contains(keyBody), "the key is never shown");
        DomainRecord row = domains.findById(UUID.fromString(id)).orElseThrow();
        assertFalse(row.certificateKeySealed().contains(keyBody), "the key is stored sealed");
        assertTrue(running(id));
    }

    @Test
    void removingADomainDeletesItsRow() {
        User owner = signUp();
        App app = createApp(owner);
        String id = (String) call(HttpRequest.POST(domains(app, app.staging()), Map.of("hostname", unique("rm") + ".example.com")), owner)
                .body().get("id");
        String one = domains(app, app.staging()) + "/" + id;
        assertEquals(HttpStatus.NO_CONTENT, call(HttpRequest.DELETE(one), owner).getStatus());
        assertTrue(domains.findById(UUID.fromString(id)).isEmpty());
        assertProblem(call(HttpRequest.GET(one), owner), HttpStatus.NOT_FOUND, "gone");
        assertProblem(call(HttpRequest.DELETE(one), owner), HttpStatus.NOT_FOUND, "gone");
    }

    // ---- helpers

    private boolean running(String domainId) {
        return temporal.newUntypedWorkflowStub(WorkflowIds.domain(domainId)).describe().getStatus()
                == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String domains(App app, UUID envId) {
        return "/api/v1/apps/" + app.id() + "/environments/" + envId + "/domains";
    }

    private static void assertProblem(HttpResponse<Map<String, Object>> response, HttpStatus status, Object what) {
        assertEquals(status, response.getStatus(), what + ": " + response.getBody().orElse(null));
        assertEquals("application/problem+json", response.getContentType().map(MediaType::toString).orElse(""), String.valueOf(what));
        assertNotNull(response.body().get("detail"));
    }

    @SuppressWarnings("unchecked")
    private static String errorField(HttpResponse<Map<String, Object>> response) {
        List<Map<String, Object>> errors = (List<Map<String, Object>>) response.body().get("errors");
        assertNotNull(errors, String.valueOf(response.body()));
        return (String) errors.get(0).get("field");
    }

    private App createApp(User owner) {
        var created = call(HttpRequest.POST("/api/v1/apps", Map.of("name", unique("dom"))), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        UUID appId = UUID.fromString((String) created.body().get("id"));
        UUID development = UUID.fromString((String) ((Map<?, ?>) created.body().get("operation")).get("envId"));
        return new App(appId, development, addEnvironment(owner, appId, "staging"), addEnvironment(owner, appId, "production"));
    }

    private UUID addEnvironment(User owner, UUID appId, String type) {
        var created = call(HttpRequest.POST("/api/v1/apps/" + appId + "/environments", Map.of("name", type + "-env", "type", type)), owner);
        assertEquals(HttpStatus.ACCEPTED, created.getStatus(), String.valueOf(created.body()));
        return UUID.fromString((String) created.body().get("id"));
    }

    private User signUp() {
        String email = "domain-" + UUID.randomUUID() + "@example.com";
        var created = http.toBlocking().exchange(HttpRequest.POST("/api/v1/accounts", Map.of("email", email, "password", PASSWORD,
                "firstName", "Ada", "lastName", "Domain")), Argument.mapOf(String.class, Object.class));
        UUID id = UUID.fromString((String) ((Map<?, ?>) created.body().get("account")).get("id"));
        String token = (String) http.toBlocking().exchange(HttpRequest.POST("/api/v1/sessions", Map.of("email", email, "password", PASSWORD)),
                Argument.mapOf(String.class, Object.class)).body().get("accessToken");
        return new User(id, token);
    }

    @SuppressWarnings("unchecked")
    private HttpResponse<Map<String, Object>> call(MutableHttpRequest<?> request, User user) {
        request.bearerAuth(user.token());
        try {
            return http.toBlocking().exchange(request, Argument.mapOf(String.class, Object.class));
        } catch (HttpClientResponseException e) {
            HttpResponse<Map<String, Object>> response = (HttpResponse<Map<String, Object>>) e.getResponse();
            Map<String, Object> body = e.getResponse().getBody(Argument.mapOf(String.class, Object.class)).orElse(Map.of());
            return HttpResponse.<Map<String, Object>>status(response.getStatus()).headers(h -> response.getHeaders()
                    .forEach((name, values) -> values.forEach(v -> h.add(name, v)))).body(body);
        }
    }
}
