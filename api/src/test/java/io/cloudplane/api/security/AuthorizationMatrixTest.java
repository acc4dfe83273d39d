package io.cloudplane.api.security;

import io.cloudplane.infra.app.AppMemberRecord;
import io.cloudplane.infra.app.AppMemberRepository;
import io.cloudplane.infra.backup.BackupArchive;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.environment.EnvironmentUserRecord;
import io.cloudplane.infra.environment.EnvironmentUserRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.server.ServerUpdateRecord;
import io.cloudplane.infra.server.ServerUpdateRepository;
import io.cloudplane.infra.storage.ObjectStore;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.runtime.ServerCatalog;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.workflows.release.PromotionStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.security.token.jwt.generator.JwtTokenGenerator;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what: every operation of the SERVED OpenAPI document, called by every kind of caller,
 * answers what the reviewed file {@code authorization-matrix.csv} says. The test fails on any cell
 * that differs, on any operation of the document missing from the file (so a new endpoint must be
 * added there, and reviewed), and on any row of the file that the document no longer has.
 *
 * <p>Along the way it counts, and requires to be zero:
 * <ul>
 *   <li>leaks: a response that holds an identifier, name or email of a tenant the caller does not
 *   belong to (other than what the caller itself sent);</li>
 *   <li>existence leaks: the caller of another tenant (and the token of another app) gets a
 *   different answer for a resource that exists than for made-up IDs;</li>
 *   <li>state changes by refused calls: a fingerprint of Cloudplane's tables (every row's text,
 *   except the time a token was last used) taken before and after every call that is not a 2xx.</li>
 * </ul>
 *
 * <p>Each row that may change something runs against a fresh app of the owner (development,
 * staging and production environments RUNNING, code, a release, a deployment, a completed backup
 * with its objects, a promotion awaiting approval, a server update); a call that succeeds in
 * changing something gets the next caller a fresh one. Rows that only read share one app. No worker runs: operations are started and stay PENDING, so long actions are judged
 * on the request (2xx means admitted). Run with {@code -Dmatrix.write=true} to write the answers
 * seen to {@code target/authorization-matrix.actual.csv} for review.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.promotion.recovery.enabled", value = "false")
class AuthorizationMatrixTest {
    private static final Path MATRIX = Path.of("src", "test", "resources", "authorization-matrix.csv");
    private static final Pattern PATH_LINE = Pattern.compile("^  (/\\S*):$");
    private static final Pattern METHOD_LINE = Pattern.compile("^    (get|put|post|delete|patch|head|options):$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");
    private static final String PASSWORD = "correct-horse-battery";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The kinds of caller, in the order of the file's columns and of the calls: those that may
     * change the app come last, so that fewer fresh apps are needed.
     */
    enum CallerKind {
        ANONYMOUS("anonymous"), EXPIRED_SESSION("expired-session"), REVOKED_TOKEN("revoked-token"),
        OTHER_TENANT("other-tenant"), END_USER("end-user"), READ_ONLY_TOKEN("read-only-token"),
        OTHER_APP_TOKEN("other-app-token"), DEVELOPER("developer"), OWNER("owner");

        final String column;

        CallerKind(String column) {
            this.column = column;
        }
    }

    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject JwtTokenGenerator jwt;
    @Inject DataSource dataSource;
    @Inject AppMemberRepository members;
    @Inject EnvironmentUserRepository environmentUsers;
    @Inject EnvironmentRepository environments;
    @Inject OperationRepository operations;
    @Inject EnvironmentFiles files;
    @Inject ReleaseRepository releases;
    @Inject DeploymentRepository deployments;
    @Inject BackupRepository backups;
    @Inject PromotionRepository promotions;
    @Inject ServerUpdateRepository serverUpdates;
    @Inject ObjectStore store;
    @Inject ServerCatalog catalog;
    @Inject io.cloudplane.infra.team.AppTransferRepository transfers;
    @Inject InvitationRepository invitations;
    @Inject io.cloudplane.infra.domain.DomainRepository domains;
    /** Each world's domain is {@code w-<id>.}{@value #DOMAIN_PARENT}; one wildcard certificate covers them all. */
    private static final String DOMAIN_PARENT = "matrix-domains.example.com";
    private static final io.cloudplane.infra.domain.TestCertificates.Issued DOMAIN_CERTIFICATE =
            io.cloudplane.infra.domain.TestCertificates.root("Matrix root").leaf("*." + DOMAIN_PARENT);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private int sequence;
    private long worldNanos;
    private long fingerprintNanos;
    private int worlds;

    private record User(UUID id, String email, String session, UUID sandboxId) {
    }

    private record Answer(int status, String body) {
    }

    /** One row of the reviewed file. */
    private record Row(String method, String path, String env, Map<CallerKind, String> expected, int line) {
        String key() {
            return method + " " + path;
        }
    }

    /** The owner's fresh app and what is in it, by placeholder name. */
    private record World(Map<String, String> ids, Set<String> identifiers) {
    }

    @Test
    void everyOperationAnswersEveryKindOfCallerAsTheReviewedMatrixSaysAndNothingLeaksAcrossTenants() throws Exception {
        List<String> documented = servedOperations();
        Map<String, Row> rows = readMatrix();
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(rows.keySet());
        Set<String> stale = new TreeSet<>(rows.keySet());
        stale.removeAll(documented);
        assertTrue(missing.isEmpty(), "operations of the served OpenAPI document missing from " + MATRIX
                + " (add a row for each, with the answer every kind of caller must get): " + missing);
        assertTrue(stale.isEmpty(), "rows of " + MATRIX + " that the served OpenAPI document no longer has: " + stale);

        // The people: the owner of the apps under test, a developer of them, an end user invited to
        // their staging environment, a user of another tenant with an app of their own, and a user
        // whose credentials the login row uses (so that no row logs in as a tenant under test).
        User owner = signUp("owner");
        User developer = signUp("developer");
        User endUser = signUp("end-user");
        User stranger = signUp("stranger");
        User loginUser = signUp("login");
        Map<String, String> strangerApp = createApp(stranger, "ms-" + shortId());
        UUID ownersOtherApp = UUID.fromString(createApp(owner, "mb-" + shortId()).get("appId"));

        Map<CallerKind, String> credentials = new HashMap<>();
        long now = Instant.now().getEpochSecond();
        credentials.put(CallerKind.EXPIRED_SESSION, jwt.generateToken(Map.of("sub", owner.id().toString(),
                "iat", now - 7200, "nbf", now - 7200, "exp", now - 3600)).orElseThrow());
        String revoked = createToken(owner, Map.of("name", "revoked"));
        String revokedId = tokenId(owner, "revoked");
        assertEquals(204, send("DELETE", "/api/v1/tokens/" + revokedId, null, null, owner.session()).status());
        credentials.put(CallerKind.REVOKED_TOKEN, revoked);
        credentials.put(CallerKind.OTHER_TENANT, stranger.session());
        credentials.put(CallerKind.END_USER, endUser.session());
        credentials.put(CallerKind.DEVELOPER, developer.session());
        credentials.put(CallerKind.OWNER, owner.session());
        credentials.put(CallerKind.READ_ONLY_TOKEN, createToken(owner, Map.of("name", "read-only", "scope", "READ")));
        credentials.put(CallerKind.OTHER_APP_TOKEN, createToken(owner, Map.of("name", "other-app", "scope", "READ_WRITE",
                "appId", ownersOtherApp.toString())));

        // What belongs to each side, searched for in every answer.
        Set<String> strangerIdentifiers = new LinkedHashSet<>(List.of(stranger.id().toString(), stranger.email(),
                stranger.sandboxId().toString()));
        strangerIdentifiers.addAll(strangerApp.values());
        Set<String> ownerSide = new LinkedHashSet<>(List.of(owner.id().toString(), owner.email(), developer.id().toString(),
                developer.email(), endUser.id().toString(), endUser.email(), owner.sandboxId().toString(), ownersOtherApp.toString()));

        List<String> mismatches = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        List<String> existenceLeaks = new ArrayList<>();
        List<String> stateChanges = new ArrayList<>();
        Map<String, Map<CallerKind, Integer>> actual = new LinkedHashMap<>();
        int cells = 0;
        int existenceChecks = 0;
        World readingWorld = null; // rows that only read share one app: the fingerprints show they change nothing
        for (String operation : documented) {
            Row row = rows.get(operation);
            boolean readingRow = row.method().equals("GET") || row.method().equals("HEAD");
            World world = readingRow ? readingWorld : null;
            String last = null; // the fingerprint after the previous call, when nothing changed since
            for (CallerKind caller : CallerKind.values()) {
                if (world == null) {
                    last = null;
                    long t0 = System.nanoTime();
                    world = world(owner, developer, endUser, loginUser);
                    worldNanos += System.nanoTime() - t0;
                    worlds++;
                    if (readingRow) {
                        readingWorld = world;
                    }
                }
                Map<String, String> values = new HashMap<>(world.ids());
                values.put("envId", values.get(switch (row.env()) {
                    case "development" -> "developmentId";
                    case "production" -> "productionId";
                    case "staging", "-" -> "stagingId";
                    default -> throw new IllegalArgumentException(MATRIX + " line " + row.line() + ": env " + row.env());
                }));
                if (row.path().startsWith("/api/v1/tokens/")) {
                    values.put("id", values.get("tokenId"));
                }
                if (row.path().startsWith("/api/v1/account/ssh-keys/")) {
                    values.put("id", values.get("sshKeyId"));
                }
                String path = resolve(row.path(), values);
                String body = resolve(body(row), values);
                long t1 = System.nanoTime();
                String before = last != null ? last : fingerprint();
                fingerprintNanos += System.nanoTime() - t1;
                Answer answer = send(row.method(), path, body, contentType(row), credentials.get(caller));
                cells++;
                actual.computeIfAbsent(operation, k -> new LinkedHashMap<>()).put(caller, answer.status());
                String expected = row.expected().get(caller);
                if (!matches(expected, answer.status())) {
                    mismatches.add(operation + " as " + caller.column + ": expected " + expected + ", got " + answer.status()
                            + " " + abbreviate(answer.body()));
                }
                boolean success = answer.status() >= 200 && answer.status() < 300;
                boolean reads = row.method().equals("GET") || row.method().equals("HEAD");
                last = null;
                if (!success || reads) {
                    String after = fingerprint();
                    if (!before.equals(after)) {
                        stateChanges.add(operation + " as " + caller.column + " (" + answer.status() + ")");
                    }
                    last = after;
                }
                if (answer.status() >= 400 && !answer.body().isEmpty()) {
                    if (!answer.body().startsWith("{") || !answer.body().contains("\"status\":" + answer.status())) {
                        mismatches.add(operation + " as " + caller.column + ": a refusal that is not problem+json: "
                                + abbreviate(answer.body()));
                    }
                }

                Set<String> foreign = new LinkedHashSet<>();
                if (caller != CallerKind.OTHER_TENANT) {
                    foreign.addAll(strangerIdentifiers);
                }
                if (caller == CallerKind.OTHER_TENANT || caller == CallerKind.ANONYMOUS || caller == CallerKind.EXPIRED_SESSION
                        || caller == CallerKind.REVOKED_TOKEN) {
                    foreign.addAll(world.identifiers());
                    foreign.addAll(ownerSide);
                }
                for (String identifier : foreign) {
                    if (row.path().startsWith("/api/v1/invitations/{token}") && identifier.equals(world.ids().get("appName"))) {
                        continue; // the token is the credential: its holder is shown the app's name, and nothing else of it
                    }
                    if (answer.body().contains(identifier) && !path.contains(identifier) && !body.contains(identifier)) {
                        leaks.add(operation + " as " + caller.column + " shows " + identifier);
                    }
                }
                if ((caller == CallerKind.OTHER_TENANT || caller == CallerKind.OTHER_APP_TOKEN) && row.path().contains("{")
                        && !row.path().startsWith("/api/v1/tokens")) {
                    // The same call with made-up IDs: the answer must not tell that the real ones exist.
                    Map<String, String> replacements = new HashMap<>();
                    Map<String, String> madeUp = new HashMap<>(values);
                    madeUp.replaceAll((name, value) -> value.matches("[0-9a-f-]{36}")
                            ? replacements.computeIfAbsent(value, v -> UUID.randomUUID().toString()) : value);
                    existenceChecks++;
                    Answer phantom = send(row.method(), resolve(row.path(), madeUp), resolve(body(row), madeUp), contentType(row),
                            credentials.get(caller));
                    if (phantom.status() != answer.status()
                            || !normalise(phantom.body(), madeUp).equals(normalise(answer.body(), values))) {
                        existenceLeaks.add(operation + " as " + caller.column + ": " + answer.status() + " " + abbreviate(answer.body())
                                + " but for made-up IDs " + phantom.status() + " " + abbreviate(phantom.body()));
                    }
                }
                if (success && !reads && row.path().contains("{")) {
                    world = null; // it changed the app (or the token) under test: the next caller gets a fresh one
                }
            }
        }

        String report = "cells checked: " + cells + " (" + documented.size() + " operations x " + CallerKind.values().length
                + " callers)\nmismatches: " + mismatches.size() + "\nleaks: " + leaks.size() + "\nexistence leaks: "
                + existenceLeaks.size() + " (of " + existenceChecks + " compared with made-up IDs)\nstate changes by refused calls: " + stateChanges.size() + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "authorization-matrix-report.txt"), report + String.join("\n", mismatches) + "\n"
                + String.join("\n", leaks) + "\n" + String.join("\n", existenceLeaks) + "\n" + String.join("\n", stateChanges) + "\n");
        if (Boolean.getBoolean("matrix.write")) {
            writeActual(rows, documented, actual);
        }
        System.out.println("Authorization matrix: " + report.replace("\n", "; ") + " worlds " + worlds + " in "
                + worldNanos / 1_000_000 + " ms, fingerprints " + fingerprintNanos / 1_000_000 + " ms (before only)");
        assertTrue(mismatches.isEmpty(), report + "cells that differ from " + MATRIX + ":\n" + String.join("\n", mismatches));
        assertTrue(leaks.isEmpty(), report + "answers holding another tenant's data:\n" + String.join("\n", leaks));
        assertTrue(existenceLeaks.isEmpty(), report + "answers that tell a resource exists:\n" + String.join("\n", existenceLeaks));
        assertTrue(stateChanges.isEmpty(), report + "refused calls that changed something:\n" + String.join("\n", stateChanges));
        assertTrue(cells >= 9 * 40, "cells checked: " + cells);
    }

    // ---- the file and the document

    private List<String> servedOperations() throws Exception {
        Answer document = send("GET", "/openapi/cloudplane-1.yml", null, null, null);
        assertEquals(200, document.status(), document.body());
        List<String> found = new ArrayList<>();
        String path = null;
        for (String line : document.body().split("\n")) {
            Matcher p = PATH_LINE.matcher(line);
            if (p.matches()) {
                path = p.group(1);
                continue;
            }
            Matcher m = METHOD_LINE.matcher(line);
            if (m.matches() && path != null) {
                found.add(m.group(1).toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        assertTrue(found.size() > 40, "operations found in the served document: " + found);
        return found;
    }

    private static Map<String, Row> readMatrix() throws IOException {
        List<String> lines = Files.readAllLines(MATRIX);
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> header = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> cells = List.of(line.split(",", -1));
            if (header == null) {
                header = cells;
                List<String> columns = new ArrayList<>(List.of("method", "path", "env"));
                for (CallerKind kind : CallerKind.values()) {
                    columns.add(kind.column);
                }
                assertEquals(columns, header, MATRIX + ": the header");
                continue;
            }
            assertEquals(header.size(), cells.size(), MATRIX + " line " + (i + 1) + ": " + line);
            Map<CallerKind, String> expected = new HashMap<>();
            for (CallerKind kind : CallerKind.values()) {
                String cell = cells.get(3 + kind.ordinal()).strip();
                assertTrue(cell.matches("[1-5](\\d\\d|xx)"), MATRIX + " line " + (i + 1) + ": not a status or class: " + cell);
                expected.put(kind, cell);
            }
            Row row = new Row(cells.get(0).strip(), cells.get(1).strip(), cells.get(2).strip(), expected, i + 1);
            assertTrue(rows.put(row.key(), row) == null, MATRIX + " line " + (i + 1) + ": a second row for " + row.key());
        }
        return rows;
    }

    private static boolean matches(String expected, int status) {
        return expected.endsWith("xx") ? String.valueOf(status).charAt(0) == expected.charAt(0) : expected.equals(String.valueOf(status));
    }

    private void writeActual(Map<String, Row> rows, List<String> documented, Map<String, Map<CallerKind, Integer>> actual)
            throws IOException {
        StringBuilder out = new StringBuilder("method,path,env");
        for (CallerKind kind : CallerKind.values()) {
            out.append(',').append(kind.column);
        }
        out.append('\n');
        for (String operation : documented) {
            Row row = rows.get(operation);
            out.append(row.method()).append(',').append(row.path()).append(',').append(row.env());
            for (CallerKind kind : CallerKind.values()) {
                out.append(',').append(actual.get(operation).get(kind));
            }
            out.append('\n');
        }
        Files.writeString(Path.of("target", "authorization-matrix.actual.csv"), out.toString());
    }

    // ---- the requests each row sends

    /** The body of each row's request; placeholders are the world's IDs. No entry: no body. */
    private String body(Row row) {
        String unique = shortId();
        return switch (row.key()) {
            case "POST /api/v1/accounts" -> "{\"email\":\"signup-" + unique + "@example.com\",\"password\":\"" + PASSWORD
                    + "\",\"firstName\":\"Sam\",\"lastName\":\"Signup\"}";
            case "POST /api/v1/sessions" -> "{\"email\":\"{loginEmail}\",\"password\":\"" + PASSWORD + "\"}";
            case "POST /api/v1/tokens" -> "{\"name\":\"made-" + unique + "\"}";
            // A key of its own each time: a key belongs to one person, so the same one twice is a 409.
            case "POST /api/v1/account/ssh-keys" -> "{\"name\":\"made-" + unique + "\",\"publicKey\":\"" + freshPublicKey() + "\"}";
            case "POST /api/v1/apps", "POST /api/v1/apps/{appId}/clone" -> "{\"name\":\"mc-" + unique + "\"}";
            case "POST /api/v1/apps/{appId}/environments" -> "{\"name\":\"qa-" + unique + "\",\"type\":\"custom\"}";
            case "PUT /api/v1/apps/{appId}/environments/{envId}/backup-schedule" -> "{\"frequency\":\"daily\",\"time\":\"03:00\"}";
            case "POST /api/v1/apps/{appId}/environments/{envId}/deployments",
                 "POST /api/v1/apps/{appId}/promotions" -> "{\"releaseId\":\"{releaseId}\"}";
            case "POST /api/v1/apps/{appId}/environments/{envId}/restores" -> "{\"backupId\":\"{backupId}\"}";
            case "POST /api/v1/apps/{appId}/environments/{envId}/update" -> "{\"version\":\"1.0.0\",\"allowDowngrade\":true}";
            case "POST /api/v1/apps/{appId}/releases" -> "{\"name\":\"r-" + unique + "\",\"sourceEnvironmentId\":\"{developmentId}\"}";
            case "POST /api/v1/apps/{appId}/promotions/{promotionId}/approve",
                 "POST /api/v1/apps/{appId}/promotions/{promotionId}/reject" -> "{\"comment\":\"reviewed\"}";
            case "PUT /api/v1/apps/{appId}/environments/{envId}/code" -> "<zip>";
            case "PATCH /api/v1/apps/{appId}/environments/{envId}/members/{userId}" -> "{\"profile\":\"user\"}";
            case "PATCH /api/v1/apps/{appId}/environments/{envId}" -> "{\"access\":\"public\"}";
            case "POST /api/v1/apps/{appId}/transfer" -> "{\"userId\":\"{developerUserId}\"}";
            case "POST /api/v1/apps/{appId}/environments/{envId}/domains" -> "{\"hostname\":\"m-" + unique + ".example.org\"}";
            case "PUT /api/v1/apps/{appId}/environments/{envId}/domains/{domainId}/certificate" -> "{\"certificate\":\""
                    + DOMAIN_CERTIFICATE.certificatePem().replace("\n", "\\n") + "\",\"privateKey\":\""
                    + DOMAIN_CERTIFICATE.privateKeyPem().replace("\n", "\\n") + "\"}";
            case "POST /api/v1/apps/{appId}/environments/{envId}/members" -> "{\"email\":\"invitee-" + unique
                    + "@example.com\",\"firstName\":\"In\",\"lastName\":\"Vitee\",\"profile\":\"user\"}";
            default -> row.method().equals("POST") ? "{}" : "";
        };
    }

    private static String contentType(Row row) {
        return row.key().equals("PUT /api/v1/apps/{appId}/environments/{envId}/code") ? "application/zip" : "application/json";
    }

    private static String resolve(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalStateException("no value for {" + name + "} in " + template);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    /** An answer with the IDs it was asked about put back as their placeholders, to compare two answers. */
    private static String normalise(String body, Map<String, String> values) {
        String out = body;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(values).entrySet()) {
            if (e.getValue().length() >= 8) {
                out = out.replace(e.getValue(), "{" + e.getKey() + "}");
            }
        }
        return out;
    }

    private Answer send(String method, String path, String body, String contentType, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURI() + path)).timeout(REQUEST_TIMEOUT);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body != null && !body.isEmpty()) {
            publisher = body.equals("<zip>") ? HttpRequest.BodyPublishers.ofByteArray(zip())
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
            request.header("Content-Type", contentType);
        }
        request.method(method, publisher);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (java.net.http.HttpTimeoutException e) {
            return new Answer(0, "no answer within " + REQUEST_TIMEOUT); // a hang: no status matches it
        }
    }

    private static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("index.html"));
            zip.write("<h1>matrix</h1>".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    // ---- the people and the world under test

    private String shortId() {
        return Integer.toHexString(++sequence) + UUID.randomUUID().toString().substring(0, 8);
    }

    private Map<String, Object> parse(Answer answer) throws IOException {
        return json.readValue(answer.body(), Argument.mapOf(String.class, Object.class));
    }

    @SuppressWarnings("unchecked")
    private User signUp(String who) throws Exception {
        String email = who + "-" + shortId() + "@example.com";
        Answer created = send("POST", "/api/v1/accounts", json.writeValueAsString(Map.of("email", email, "password", PASSWORD,
                "firstName", "Matrix", "lastName", who)), "application/json", null);
        assertEquals(201, created.status(), created.body());
        Map<String, Object> body = parse(created);
        Answer session = send("POST", "/api/v1/sessions", json.writeValueAsString(Map.of("email", email, "password", PASSWORD)),
                "application/json", null);
        assertEquals(200, session.status(), session.body());
        return new User(UUID.fromString((String) ((Map<String, Object>) body.get("account")).get("id")), email,
                (String) parse(session).get("accessToken"), UUID.fromString((String) body.get("sandboxAppId")));
    }

    private String createToken(User user, Map<String, Object> request) throws Exception {
        Answer created = send("POST", "/api/v1/tokens", json.writeValueAsString(request), "application/json", user.session());
        assertEquals(201, created.status(), created.body());
        return (String) parse(created).get("token");
    }

    @SuppressWarnings("unchecked")
    private String tokenId(User user, String name) throws Exception {
        List<Map<String, Object>> items = (List<Map<String, Object>>) parse(send("GET", "/api/v1/tokens", null, null, user.session()))
                .get("items");
        return (String) items.stream().filter(t -> name.equals(t.get("name"))).findFirst().orElseThrow().get("id");
    }

    /** An app with its development environment RUNNING, as a finished provisioning leaves it. */
    @SuppressWarnings("unchecked")
    private Map<String, String> createApp(User owner, String name) throws Exception {
        Answer created = send("POST", "/api/v1/apps", json.writeValueAsString(Map.of("name", name)), "application/json", owner.session());
        assertEquals(202, created.status(), created.body());
        Map<String, Object> body = parse(created);
        Map<String, Object> operation = (Map<String, Object>) body.get("operation");
        UUID devId = UUID.fromString((String) operation.get("envId"));
        provisioned(devId);
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("appId", (String) body.get("id"));
        ids.put("appName", name);
        ids.put("developmentId", devId.toString());
        ids.put("operationId", (String) operation.get("id"));
        return ids;
    }

    /**
     * No worker runs here, so no schedule workflow is started for these environments (it would
     * never answer an Update): a schedule change is then recorded and the workflow started.
     */
    private UUID runningEnvironment(UUID appId, String name, EnvironmentRecord.EnvironmentType type) {
        UUID envId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        environments.save(new EnvironmentRecord(envId, appId, name, type, null, EnvironmentStatus.RUNNING, null, catalog.defaultVersion().version(),
                null, null, EnvironmentRecord.databaseNameFor(envId), null, now, now));
        files.createFolders(envId.toString());
        return envId;
    }

    private void provisioned(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(envId.toString());
    }

    private World world(User owner, User developer, User endUser, User loginUser) throws Exception {
        Map<String, String> ids = createApp(owner, "ma-" + shortId());
        UUID appId = UUID.fromString(ids.get("appId"));
        UUID dev = UUID.fromString(ids.get("developmentId"));
        // Staging and production as a finished provisioning leaves them, written directly: what is
        // under test is who reaches them, and two more provisioning requests per app cost a second.
        UUID staging = runningEnvironment(appId, "staging", EnvironmentRecord.EnvironmentType.STAGING);
        UUID production = runningEnvironment(appId, "production", EnvironmentRecord.EnvironmentType.PRODUCTION);
        ids.put("stagingId", staging.toString());
        ids.put("productionId", production.toString());
        members.save(AppMemberRecord.of(appId, developer.id(), AppMemberRecord.Role.DEVELOPER));
        environmentUsers.save(EnvironmentUserRecord.of(staging, endUser.id()));
        Answer code = send("PUT", "/api/v1/apps/" + appId + "/environments/" + dev + "/code", "<zip>", "application/zip", owner.session());
        assertEquals(200, code.status(), code.body());

        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID releaseId = UUID.randomUUID();
        String releaseName = "rel-" + shortId();
        releases.save(new ReleaseRecord(releaseId, appId, releaseName, "the matrix's release", dev, "development",
                ReleaseRecord.Status.READY, ReleaseRecord.keyFor(appId, releaseId), "0".repeat(64), 123L, null, owner.id(), now, null));
        UUID deploymentId = UUID.randomUUID();
        deployments.save(DeploymentRecord.pending(deploymentId, appId, staging, releaseId, null, false, owner.id(), now));
        UUID backupId = UUID.randomUUID();
        BackupRecord pending = BackupRecord.pending(backupId, appId, staging, BackupRecord.Trigger.MANUAL, owner.id(), null, now);
        backups.save(new BackupRecord(backupId, appId, staging, pending.trigger(), BackupRecord.Status.COMPLETED, null, null,
                pending.objectPrefix(), 456L, "{}", BackupRecord.Verification.PASSED, null, owner.id(), null, now, now, now, now));
        BackupRecord backup = backups.findById(backupId).orElseThrow();
        for (String part : List.of(BackupArchive.DATABASE, BackupArchive.FILES, BackupArchive.MANIFEST)) {
            store.put(BackupArchive.key(backup, part), new java.io.ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)),
                    "application/octet-stream");
        }

        UUID promotionId = UUID.randomUUID();
        promotions.save(new PromotionRecord(promotionId, appId, releaseId, staging, production, PromotionStatus.AWAITING_APPROVAL,
                PromotionStage.APPROVAL, null, null, now.plus(Duration.ofDays(1)), null, null, null, null, null, owner.id(), now, now));
        UUID updateId = UUID.randomUUID();
        serverUpdates.save(ServerUpdateRecord.pending(updateId, appId, staging, "1.0.0", "1.1.0", false, owner.id(), now));
        // A pending invitation to staging, for a person who is none of the callers, with a token the test knows.
        UUID invitationId = UUID.randomUUID();
        String invitationToken = InvitationTokens.newToken();
        invitations.save(new InvitationRecord(invitationId, appId, staging, "invitee-" + shortId() + "@example.com", "In", "Vitee",
                "user", InvitationRecord.Kind.USER, InvitationRecord.Status.PENDING, InvitationTokens.sha256(invitationToken), owner.id(), 0,
                now, now.plus(Duration.ofDays(7)), null, null));
        String throwaway = createToken(owner, Map.of("name", "throwaway-" + shortId()));
        String tokenId = tokenIdOf(owner, throwaway);

        ids.put("releaseId", releaseId.toString());
        ids.put("releaseName", releaseName);
        ids.put("deploymentId", deploymentId.toString());
        ids.put("backupId", backupId.toString());
        ids.put("promotionId", promotionId.toString());
        ids.put("updateId", updateId.toString());
        ids.put("id", ids.get("operationId"));
        ids.put("tokenId", tokenId);
        ids.put("sshKeyId", sshKeyOf(owner));
        ids.put("invitationId", invitationId.toString());
        // A verified custom domain of staging (its workflow is not running: no worker here).
        UUID domainId = UUID.randomUUID();
        domains.save(new io.cloudplane.infra.domain.DomainRecord(domainId, appId, staging, "w-" + shortId() + "." + DOMAIN_PARENT,
                io.cloudplane.workflows.domain.DomainStatus.VERIFIED, "cp-matrix", owner.id(), now, now, now, "verified", now, null,
                null, null, null, null, null, null, null, null, null, null));
        ids.put("domainId", domainId.toString());
        ids.put("token", invitationToken);
        ids.put("loginEmail", loginUser.email());
        // {userId} of the members' rows: the end user of staging. An ownership transfer is offered to the developer.
        ids.put("userId", endUser.id().toString());
        ids.put("developerUserId", developer.id().toString());
        transfers.offer(appId, developer.id(), owner.id(), now);
        Set<String> identifiers = new LinkedHashSet<>();
        ids.forEach((name, value) -> {
            if (!name.equals("id") && !name.equals("loginEmail")) {
                identifiers.add(value);
            }
        });
        return new World(ids, identifiers);
    }

    /** A public key registered on the user's account (the DELETE row's {@code {id}}). */
    private String sshKeyOf(User user) throws Exception {
        Answer added = send("POST", "/api/v1/account/ssh-keys", "{\"name\":\"k-" + shortId() + "\",\"publicKey\":\"" + freshPublicKey() + "\"}",
                "application/json", user.session());
        assertEquals(201, added.status(), added.body());
        return (String) parse(added).get("id");
    }

    private static String freshPublicKey() {
        try {
            return org.apache.sshd.common.config.keys.PublicKeyEntry.toString(
                    org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private String tokenIdOf(User user, String token) throws Exception {
        List<Map<String, Object>> items = (List<Map<String, Object>>) parse(send("GET", "/api/v1/tokens", null, null, user.session()))
                .get("items");
        return (String) items.stream().filter(t -> token.startsWith((String) t.get("hint")))
                .reduce((a, b) -> b).orElseThrow().get("id");
    }

    // ---- the fingerprint of Cloudplane's tables

    /** Every row of every table as text (a token's last use aside), hashed, per table, in one query. */
    private String fingerprint() throws SQLException {
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select table_name from information_schema.tables where table_schema = 'public' "
                    + "and table_type = 'BASE TABLE' and table_name not in ('flyway_schema_history', 'metric_samples', 'metric_rollups') "
                    + "order by table_name")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            StringBuilder query = new StringBuilder();
            for (String table : tables) {
                if (!query.isEmpty()) {
                    query.append(" union all ");
                }
                String rows = table.equals("api_tokens")
                        ? "(select id, user_id, name, token_hash, hint, created_at, expires_at, scope, app_id from api_tokens)"
                        : "\"" + table + "\"";
                // Order-independent, so no sort: the count and the sum of every row's hash.
                query.append("select '").append(table).append("' || ':' || count(*) || ':' || coalesce(sum(hashtext(t::text)::bigint), 0) "
                        + "from ").append(rows).append(" t");
            }
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = s.executeQuery(query.toString())) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
            return out.toString();
        }
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
