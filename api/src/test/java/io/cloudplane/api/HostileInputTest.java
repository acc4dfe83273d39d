package io.cloudplane.api;

import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.backup.BackupRecord;
import io.cloudplane.infra.backup.BackupRepository;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.release.DeploymentRecord;
import io.cloudplane.infra.release.DeploymentRepository;
import io.cloudplane.infra.release.PromotionRecord;
import io.cloudplane.infra.release.PromotionRepository;
import io.cloudplane.infra.team.InvitationRecord;
import io.cloudplane.infra.team.InvitationRepository;
import io.cloudplane.infra.team.InvitationTokens;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.cloudplane.infra.server.ServerUpdateRecord;
import io.cloudplane.infra.server.ServerUpdateRepository;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.workflows.release.PromotionStatus;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile input on every endpoint. The test reads the OpenAPI document the running API serves and,
 * for every operation in it, sends requests that are invalid by construction, as the owner of
 * existing resources (so that the paths resolve and the request reaches what checks it): malformed,
 * NUL, invalid UTF-8, over-long and unknown IDs in the path; junk, out-of-range and wrongly typed
 * query parameters; and for a body, wrong JSON types, nulls and missing required fields, unknown
 * fields, strings of 1 MiB, NUL characters, invalid UTF-8, numbers out of range, invalid and deeply
 * nested JSON, wrong and missing content types, an empty body and a body over the size limit.
 * <p>
 * Every answer must be a 4xx application/problem+json whose {@code errors} name the field where
 * there is one (the path parameter, the query parameter or the body's property, dotted when nested),
 * and nothing may change: a fingerprint of every table of Cloudplane's schema (row count and an MD5
 * of the rows) is taken before and after each operation's requests. The test fails on an operation
 * of the document that it did not exercise, and on a path parameter it has no resource for, so an
 * endpoint is covered the day it is added.
 * <p>
 * The generated values (junk text of any UTF-16 characters, unknown UUIDs, values of the wrong JSON
 * type, non-integral numbers, unknown field names, junk archives) are drawn from a
 * {@link java.util.Random} with a fixed seed, so that CI is repeatable:
 * {@code -Dcloudplane.hostile.tries} (draws per generated case, default 1) and
 * {@code -Dcloudplane.hostile.seed} raise or vary them. (QuickTheories, which the parsers'
 * {@code *Properties} use, draws only inside a theory run, whose first examples are always the
 * boundaries: a stateful run over HTTP that draws one value at a time needs plain draws.)
 * <p>
 * The three operations that take no input at
 * all (GET /apps, /server-versions, /tokens) cannot be sent an invalid request: they get ignored junk
 * (a query parameter, a body) and must answer without a 5xx; they read only.
 */
@MicronautTest(transactional = false)
@Property(name = "cloudplane.metrics.enabled", value = "false")
@Property(name = "cloudplane.promotion.recovery.enabled", value = "false")
class HostileInputTest {
    private static final int TRIES = Integer.getInteger("cloudplane.hostile.tries", 1);
    private static final long SEED = Long.getLong("cloudplane.hostile.seed", 20261130L);
    /** micronaut.server.max-request-buffer-size: the most a JSON body may be. */
    private static final int BUFFER_LIMIT = 1024 * 1024;
    /** cloudplane.code.max-archive-mib in application-test.yml. */
    private static final int ARCHIVE_LIMIT = 1024 * 1024;
    private static final String PROBLEM = "application/problem+json";
    private static final List<String> HTTP_METHODS = List.of("get", "put", "post", "delete", "patch");

    @Inject EmbeddedServer server;
    @Inject JsonMapper json;
    @Inject DataSource dataSource;
    @Inject AppRepository apps;
    @Inject OperationRepository operations;
    @Inject EnvironmentRepository environments;
    @Inject EnvironmentFiles files;
    @Inject ReleaseRepository releases;
    @Inject DeploymentRepository deployments;
    @Inject BackupRepository backups;
    @Inject ServerUpdateRepository serverUpdates;
    @Inject PromotionRepository promotions;
    @Inject io.cloudplane.infra.app.AppMemberRepository members;
    @Inject InvitationRepository invitations;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Random random = new Random(SEED);

    // ---------------------------------------------------------------------------------------------
    // What is sent, and what must come back

    /** One property of a request body, {@code path} dotted from the top ("retention.count"). */
    private record Field(String path, Map<String, Object> schema, boolean required) {
        String type() {
            return String.valueOf(schema.getOrDefault("type", "object"));
        }
    }

    private record Operation(String method, String template, String id, List<Map<String, Object>> parameters,
                             Map<String, Object> jsonBody, List<String> binaryBodyTypes) {
        String label() {
            return method.toUpperCase() + " " + template + " (" + id + ")";
        }

        List<String> pathParameters() {
            return parameters.stream().filter(p -> "path".equals(p.get("in"))).map(p -> (String) p.get("name")).toList();
        }
    }

    /**
     * One hostile request. {@code fields}: the problem must name one of them (when it is a 400);
     * {@code statuses}: the answers allowed (any 4xx when empty).
     */
    private record Hostile(String what, String method, String path, byte[] body, String contentType, Set<String> fields,
                           Set<Integer> statuses) {
    }

    private record Outcome(int status, String contentType, String body) {
    }

    // ---------------------------------------------------------------------------------------------
    // The resources the paths resolve to

    private String token;
    private final Map<String, UUID> fixtures = new LinkedHashMap<>();
    private UUID developmentId;
    private UUID stagingId;
    /** A pending invitation's token (to staging), for {@code /invitations/{token}}. */
    private String invitationToken;

    @Test
    void everyOperationRefusesHostileInputWithAProblemNamingTheFieldAndChangesNothing() throws Exception {
        Map<String, Object> document = new Yaml().load(get("/openapi/cloudplane-1.yml"));
        List<Operation> operations = operations(document);
        assertTrue(operations.size() > 40, "operations in the served document: " + operations.size());
        createResources();
        run(operations, document);
    }

    private void run(List<Operation> operations, Map<String, Object> document) throws Exception {
        List<String> failures = new ArrayList<>();
        Set<String> exercised = new LinkedHashSet<>();
        int tried = 0;
        int serverErrors = 0;
        int stateChanges = 0;
        Map<String, Long> timings = new LinkedHashMap<>();
        for (Operation operation : operations) {
            List<Hostile> requests = hostile(operation, document);
            if (requests.isEmpty()) {
                tried += ignoredJunk(operation, failures);
                exercised.add(operation.id());
                continue;
            }
            long started = System.nanoTime();
            Map<String, String> before = fingerprint();
            for (Hostile request : requests) {
                tried++;
                Outcome outcome = send(request);
                if (outcome.status() >= 500) {
                    serverErrors++;
                }
                String wrong = judge(request, outcome);
                if (wrong != null) {
                    failures.add(operation.label() + " " + request.what() + ": " + wrong);
                }
            }
            Map<String, String> after = fingerprint();
            if (!before.equals(after)) {
                stateChanges++;
                List<String> changed = new ArrayList<>();
                before.forEach((table, print) -> {
                    if (!print.equals(after.get(table))) {
                        changed.add(table);
                    }
                });
                failures.add(operation.label() + ": hostile requests changed " + changed);
            }
            exercised.add(operation.id());
            timings.put(operation.label() + " " + requests.size() + " requests", (System.nanoTime() - started) / 1_000_000);
        }
        String slowest = timings.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .map(e -> e.getValue() + " ms " + e.getKey()).reduce((a, b) -> a + "\n" + b).orElse("");
        String figures = "operations " + operations.size() + ", requests " + tried + ", 5xx " + serverErrors
                + ", operations whose requests changed state " + stateChanges + ", failures " + failures.size()
                + " (tries " + TRIES + ", seed " + SEED + ")";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "hostile-input.txt"), figures + "\n" + String.join("\n", failures) + "\nslowest:\n" + slowest + "\n");
        System.out.println("Hostile input: " + figures);

        Set<String> missing = new LinkedHashSet<>(operations.stream().map(Operation::id).toList());
        missing.removeAll(exercised);
        assertEquals(Set.of(), missing, "operations of the document that were not exercised");
        if (!failures.isEmpty()) {
            fail(failures.size() + " hostile requests were not refused as they should be (" + figures + "):\n"
                    + String.join("\n", failures.subList(0, Math.min(80, failures.size()))));
        }
        assertEquals(0, serverErrors, figures);
        assertEquals(0, stateChanges, figures);
    }

    /** Every operation of the document, with its parameters and its body's schema resolved. */
    @SuppressWarnings("unchecked")
    private static List<Operation> operations(Map<String, Object> document) {
        List<Operation> found = new ArrayList<>();
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        paths.forEach((template, item) -> ((Map<String, Object>) item).forEach((method, value) -> {
            if (!HTTP_METHODS.contains(method)) {
                return;
            }
            Map<String, Object> operation = (Map<String, Object>) value;
            List<Map<String, Object>> parameters = (List<Map<String, Object>>) operation.getOrDefault("parameters", List.of());
            Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) operation.getOrDefault("requestBody", Map.of()))
                    .getOrDefault("content", Map.of());
            Map<String, Object> jsonBody = null;
            List<String> binary = new ArrayList<>();
            for (Map.Entry<String, Object> entry : content.entrySet()) {
                Map<String, Object> schema = resolve(document, (Map<String, Object>) ((Map<String, Object>) entry.getValue()).get("schema"));
                if (entry.getKey().equals("application/json")) {
                    jsonBody = schema;
                } else {
                    binary.add(entry.getKey());
                }
            }
            if (jsonBody == null && !content.isEmpty() && binary.isEmpty()) {
                throw new AssertionError(method + " " + template + " takes a body this test does not know: " + content.keySet());
            }
            found.add(new Operation(method, template, (String) operation.get("operationId"), parameters, jsonBody, binary));
        }));
        return found;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolve(Map<String, Object> document, Map<String, Object> schema) {
        if (schema == null) {
            return Map.of();
        }
        Object ref = schema.get("$ref");
        if (ref == null && schema.get("allOf") instanceof List<?> all && all.size() == 1) {
            ref = ((Map<String, Object>) all.get(0)).get("$ref");
        }
        if (ref == null) {
            return schema;
        }
        String name = ((String) ref).substring("#/components/schemas/".length());
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("schemas");
        return resolve(document, (Map<String, Object>) schemas.get(name));
    }

    /** The body's properties, nested objects' too, depth first. */
    @SuppressWarnings("unchecked")
    private static List<Field> fields(Map<String, Object> document, Map<String, Object> schema, String prefix) {
        List<Field> fields = new ArrayList<>();
        List<String> required = (List<String>) schema.getOrDefault("required", List.of());
        Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
        properties.forEach((name, value) -> {
            Map<String, Object> property = resolve(document, (Map<String, Object>) value);
            if (Boolean.TRUE.equals(property.get("readOnly"))) {
                return;
            }
            Field field = new Field(prefix + name, property, required.contains(name));
            fields.add(field);
            if ("object".equals(field.type()) && property.containsKey("properties")) {
                fields.addAll(fields(document, property, field.path() + "."));
            }
        });
        return fields;
    }

    // ---------------------------------------------------------------------------------------------
    // The generators

    private <T> List<T> draws(Supplier<T> generator) {
        List<T> drawn = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            drawn.add(generator.get());
        }
        return drawn;
    }

    /** From {@code min} to {@code max}: one draw in eight each end, else any in between. */
    private int size(int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            default -> min + random.nextInt(max - min + 1);
        };
    }

    /** Any int: one draw in four an edge (0, 1, -1, the least, the greatest). */
    private int anyInt() {
        return random.nextInt(4) == 0 ? List.of(0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE).get(random.nextInt(5)) : random.nextInt();
    }

    /** Any long: one draw in four an edge (0, 1, -1, the least, the greatest). */
    private long anyLong() {
        return random.nextInt(4) == 0 ? List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE).get(random.nextInt(5)) : random.nextLong();
    }

    /** Up to {@code max} UTF-16 characters, any at all: NUL, controls, lone surrogates. */
    private String anyText(int max) {
        int length = size(0, max);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) random.nextInt(Character.MAX_VALUE + 1));
        }
        return text.toString();
    }

    /**
     * Text no ID, number, boolean, instant, duration, cursor or name of this API accepts: it starts
     * with '~', which none of their alphabets has, followed by any characters at all.
     */
    private String junk() {
        return "~" + anyText(40);
    }

    private UUID uuid() {
        return new UUID(anyLong(), anyLong());
    }

    /** Between {@code -bound} and {@code bound}, never a whole number. */
    private double nonIntegral(double bound) {
        while (true) {
            double d = (random.nextDouble() * 2 - 1) * bound;
            if (d != Math.rint(d)) {
                return d;
            }
        }
    }

    /** From {@code min} to {@code max} ASCII letters. */
    private String letters(int min, int max) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        int length = size(min, max);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** '~' then up to 4 KiB of any bytes: neither a ZIP nor a gzip file. */
    private byte[] junkBytes() {
        byte[] bytes = new byte[size(0, 4096)];
        random.nextBytes(bytes);
        return concat("~".getBytes(StandardCharsets.UTF_8), bytes);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A JSON value of any type but {@code type}'s (integer and number are one type here), each kind as likely. */
    private Object wrongType(String type) {
        List<Supplier<Object>> choices = new ArrayList<>();
        if (!type.equals("string")) {
            choices.add(this::junk);
        }
        if (!type.equals("integer") && !type.equals("number")) {
            choices.add(this::anyInt);
        }
        if (type.equals("integer")) {
            choices.add(() -> nonIntegral(1e6));
        }
        if (!type.equals("boolean")) {
            choices.add(random::nextBoolean);
        }
        if (!type.equals("array")) {
            choices.add(() -> {
                List<Integer> list = new ArrayList<>();
                for (int i = size(0, 3); i > 0; i--) {
                    list.add(anyInt());
                }
                return list;
            });
        }
        if (!type.equals("object")) {
            choices.add(() -> Map.of("~", junk()));
        }
        return choices.get(random.nextInt(choices.size())).get();
    }

    private List<Hostile> hostile(Operation operation, Map<String, Object> document) {
        List<Hostile> requests = new ArrayList<>();
        List<String> pathNames = operation.pathParameters();
        String method = operation.method().toUpperCase();
        // The body sent beside a bad path or query: a JSON body that passes for one, as far as can be
        // told from the schema, so that it is the path or the query that makes the request invalid.
        byte[] plausible = operation.jsonBody() == null ? null : plausibleBody(document, operation.jsonBody());
        String plausibleType = plausible == null ? null : "application/json";
        if (!operation.binaryBodyTypes().isEmpty()) {
            plausible = "~not an archive".getBytes(StandardCharsets.UTF_8);
            plausibleType = operation.binaryBodyTypes().get(0);
        }
        Set<String> bodyFields = new LinkedHashSet<>();
        if (operation.jsonBody() != null) {
            fields(document, operation.jsonBody(), "").forEach(f -> bodyFields.add(f.path()));
        }

        for (String name : pathNames) {
            Set<String> named = new LinkedHashSet<>(bodyFields);
            named.add(name);
            List<String> malformed = new ArrayList<>(draws(this::junk).stream().map(HostileInputTest::encode).toList());
            malformed.add("%00");
            malformed.add("%C3%28");
            malformed.add("%FF%FE");
            malformed.add("12345");
            malformed.add(encode(UUID.randomUUID().toString().substring(1)));
            malformed.add("a".repeat(8 * 1024));
            for (String value : malformed) {
                requests.add(new Hostile("path " + name + "=" + abbreviate(value), method, path(operation, name, value), plausible,
                        plausibleType, named, Set.of()));
            }
            for (UUID unknown : draws(this::uuid)) {
                requests.add(new Hostile("path " + name + " unknown " + unknown, method, path(operation, name, unknown.toString()),
                        plausible, plausibleType, named, operation.jsonBody() == null ? Set.of(404) : Set.of(400, 404)));
            }
        }

        String base = path(operation, null, null);
        for (Map<String, Object> parameter : operation.parameters()) {
            if (!"query".equals(parameter.get("in"))) {
                continue;
            }
            String name = (String) parameter.get("name");
            @SuppressWarnings("unchecked")
            Map<String, Object> schema = (Map<String, Object>) parameter.getOrDefault("schema", Map.of());
            String type = String.valueOf(schema.get("type"));
            List<String> values = new ArrayList<>(draws(this::junk).stream().map(HostileInputTest::encode).toList());
            values.add("%00");
            values.add("%FF");
            values.add("~" + "a".repeat(8 * 1024));
            switch (type) {
                case "integer" -> {
                    values.add("1.5");
                    values.add("2147483648");
                    values.add("-2147483649");
                    values.add("99999999999999999999999");
                    if (schema.get("minimum") instanceof Number min) {
                        values.add(Long.toString(min.longValue() - 1));
                    }
                    if (schema.get("maximum") instanceof Number max) {
                        values.add(Long.toString(max.longValue() + 1));
                    }
                    draws(() -> nonIntegral(1e9))
                            .forEach(d -> values.add(Double.toString(d)));
                }
                case "boolean" -> {
                    values.add("2");
                    values.add("yes%20please");
                }
                default -> {
                }
            }
            for (String value : values) {
                requests.add(new Hostile("query " + name + "=" + abbreviate(value), method, base + "?" + name + "=" + value,
                        plausible, plausibleType, Set.of(name), Set.of()));
            }
        }

        if (operation.jsonBody() != null) {
            requests.addAll(hostileBodies(operation, document, method, base));
        }
        if (!operation.binaryBodyTypes().isEmpty()) {
            requests.addAll(hostileArchives(operation, method, base));
        }
        return requests;
    }

    private List<Hostile> hostileBodies(Operation operation, Map<String, Object> document, String method, String path) {
        List<Hostile> requests = new ArrayList<>();
        List<Field> fields = fields(document, operation.jsonBody(), "");
        Set<String> required = new LinkedHashSet<>();
        fields.stream().filter(Field::required).forEach(f -> required.add(f.path()));
        Set<String> all = new LinkedHashSet<>();
        fields.forEach(f -> all.add(f.path()));
        for (Field field : fields) {
            // The body holds only this field: the problem may name it, or another field the body
            // lacks that the controller checks first (a release's name before its description).
            Set<String> named = new LinkedHashSet<>(List.of(field.path()));
            all.stream().filter(f -> !field.path().equals(f) && !field.path().startsWith(f + ".")).forEach(named::add);
            // Serde 2 says which property it was reading only for a scalar; a nested object of the
            // wrong JSON type (retention: "x") is refused as the body as a whole.
            Set<String> namedWrongType = new LinkedHashSet<>(named);
            if ("object".equals(field.type())) {
                namedWrongType.add("body");
            }
            for (Object wrong : draws(() -> wrongType(field.type()))) {
                requests.add(json(method, path, "wrong type " + field.path() + "=" + abbreviate(String.valueOf(wrong)),
                        nest(field.path(), wrong), namedWrongType));
            }
            if (field.required()) {
                requests.add(json(method, path, "null " + field.path(), nest(field.path(), null), required));
            }
            switch (field.type()) {
                case "string" -> {
                    for (String text : draws(() -> anyText(20))) {
                        requests.add(json(method, path, "NUL in " + field.path(), nest(field.path(), text + "\0" + text), named));
                    }
                    // Just under the body limit: the value itself must be refused, naming the field.
                    requests.add(json(method, path, "string of ~1 MiB in " + field.path(),
                            nest(field.path(), "a".repeat(BUFFER_LIMIT - 1024)), named));
                    // A string of 1 MiB: the body is over the limit.
                    requests.add(json(method, path, "string of 1 MiB in " + field.path(),
                            nest(field.path(), "a".repeat(BUFFER_LIMIT)), Set.of()));
                    byte[] invalidUtf8 = concat(("{\"" + field.path().replace(".", "\":{\"") + "\":\"ab").getBytes(StandardCharsets.UTF_8),
                            new byte[]{(byte) 0xC3, 0x28, (byte) 0xFF}, ("\"" + "}".repeat(field.path().split("\\.").length))
                                    .getBytes(StandardCharsets.UTF_8));
                    requests.add(new Hostile("invalid UTF-8 in " + field.path(), method, path, invalidUtf8, "application/json",
                            Set.of(), Set.of()));
                }
                case "integer", "number" -> {
                    List<Object> out = new ArrayList<>(List.of(new java.math.BigInteger("2147483648"),
                            new java.math.BigInteger("-9223372036854775809"), new java.math.BigDecimal("1e40")));
                    if (field.schema().get("minimum") instanceof Number min) {
                        out.add(min.longValue() - 1);
                    }
                    if (field.schema().get("maximum") instanceof Number max) {
                        out.add(max.longValue() + 1);
                    }
                    for (Object value : out) {
                        requests.add(json(method, path, "out of range " + field.path() + "=" + value, nest(field.path(), value), named));
                    }
                }
                default -> {
                }
            }
        }
        if (!required.isEmpty()) {
            requests.add(json(method, path, "missing required fields", Map.of(), required));
        }
        for (String extra : draws(() -> "unknown" + letters(1, 12))) {
            requests.add(json(method, path, "unknown field " + extra, Map.of(extra, 1), Set.of(extra)));
        }
        String open = "{\"" + (fields.isEmpty() ? "a" : fields.get(0).path().split("\\.")[0]) + "\":";
        List<String> invalid = new ArrayList<>(List.of(open, open + "}", "{,}", "nul", "{'a':1}", "{\"a\":1,}", "{} }", "[]",
                "\"text\"", "42", open + "[1,2}"));
        invalid.addAll(draws(this::junk));
        for (String text : invalid) {
            requests.add(new Hostile("invalid JSON " + abbreviate(text), method, path, text.getBytes(StandardCharsets.UTF_8),
                    "application/json", Set.of(), Set.of()));
        }
        int depth = 5000;
        requests.add(new Hostile("arrays nested " + depth + " deep", method, path,
                ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8), "application/json", Set.of(), Set.of()));
        requests.add(new Hostile("objects nested " + depth + " deep", method, path,
                ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8), "application/json", Set.of(), Set.of()));
        requests.add(new Hostile("empty body", method, path, new byte[0], "application/json", Set.of(), Set.of()));
        requests.add(new Hostile("no body at all", method, path, null, null, Set.of(), Set.of()));
        // Invalid whatever the type is taken to be: an unknown field in a JSON object left open.
        byte[] broken = "{\"unknown\": [".getBytes(StandardCharsets.UTF_8);
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data")) {
            requests.add(new Hostile("content type " + type, method, path, broken, type, Set.of(), Set.of()));
        }
        requests.add(new Hostile("no content type", method, path, broken, null, Set.of(), Set.of()));
        requests.add(new Hostile("body over the size limit", method, path,
                ("{\"unknown\":\"" + "a".repeat(BUFFER_LIMIT + 1024) + "\"}").getBytes(StandardCharsets.UTF_8), "application/json",
                Set.of(), Set.of(413, 400)));
        return requests;
    }

    private List<Hostile> hostileArchives(Operation operation, String method, String path) {
        List<Hostile> requests = new ArrayList<>();
        String type = operation.binaryBodyTypes().get(0);
        // A form (the gateway's sign-in) is refused naming one of its fields; anything else here takes an archive.
        Set<String> archive = type.equals("application/x-www-form-urlencoded") ? Set.of("to", "email", "password") : Set.of("archive");
        for (byte[] bytes : draws(this::junkBytes)) {
            for (String each : operation.binaryBodyTypes()) {
                requests.add(new Hostile("junk archive (" + each + ")", method, path, bytes, each, archive, Set.of()));
            }
        }
        // Micronaut refuses an empty body before the controller sees it, naming the body.
        Set<String> empty = new LinkedHashSet<>(archive);
        empty.add("body");
        requests.add(new Hostile("empty archive", method, path, new byte[0], type, empty, Set.of()));
        requests.add(new Hostile("archive as JSON", method, path, "{}".getBytes(StandardCharsets.UTF_8), "application/json",
                Set.of(), Set.of()));
        requests.add(new Hostile("archive as text", method, path, "PK".getBytes(StandardCharsets.UTF_8), "text/plain", Set.of(), Set.of()));
        requests.add(new Hostile("archive without a content type", method, path, "~junk".getBytes(StandardCharsets.UTF_8), null,
                Set.of(), Set.of()));
        byte[] big = new byte[ARCHIVE_LIMIT + 1024];
        random.nextBytes(big);
        big[0] = '~';
        requests.add(new Hostile("archive over the size limit", method, path, big, type, archive, Set.of(400, 413)));
        return requests;
    }

    private Hostile json(String method, String path, String what, Object body, Set<String> fields) {
        try {
            return new Hostile(what, method, path, json.writeValueAsBytes(body), "application/json", fields, Set.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code {"retention": {"count": value}}} for "retention.count". */
    private static Object nest(String dotted, Object value) {
        String[] names = dotted.split("\\.");
        Object body = value;
        for (int i = names.length - 1; i >= 0; i--) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put(names[i], body);
            body = object;
        }
        return body;
    }

    /** Each required string property set to a word, others left out. */
    private byte[] plausibleBody(Map<String, Object> document, Map<String, Object> schema) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (Field field : fields(document, schema, "")) {
            if (field.required() && !field.path().contains(".")) {
                body.put(field.path(), switch (field.type()) {
                    case "integer", "number" -> 1;
                    case "boolean" -> false;
                    default -> "plausible";
                });
            }
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String path(Operation operation, String replaced, String value) {
        String path = operation.template();
        for (String name : operation.pathParameters()) {
            String actual = name.equals(replaced) ? value : fixture(operation, name).toString();
            path = path.replace("{" + name + "}", actual);
        }
        return path;
    }

    /** The existing resource a path parameter names; a parameter without one fails the test, so that it gets one. */
    private Object fixture(Operation operation, String name) {
        String template = operation.template();
        return switch (name) {
            case "envId" -> template.endsWith("/code") ? developmentId : stagingId;
            case "token" -> invitationToken;
            case "id" -> template.startsWith("/api/v1/tokens") ? fixtures.get("tokenId") : fixtures.get("operationId");
            default -> {
                UUID id = fixtures.get(name);
                if (id == null) {
                    throw new AssertionError(operation.label() + ": no resource for path parameter " + name
                            + "; give HostileInputTest.createResources one");
                }
                yield id;
            }
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Sending and judging

    private Outcome send(Hostile request) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server.getURI() + request.path()))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "*/*")
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        if (request.contentType() != null) {
            builder.header("Content-Type", request.contentType());
        }
        // A request line over Netty's limit ends its connection: it goes on a connection of its
        // own, so that the next request does not find the pooled one closed.
        HttpClient client = request.path().length() > 4000 ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build() : http;
        try {
            HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (IOException e) {
            return new Outcome(-1, "", "no answer: " + e);
        }
    }

    /** Null when the answer is right, else what is wrong with it. */
    @SuppressWarnings("unchecked")
    private String judge(Hostile request, Outcome outcome) {
        if (outcome.status() < 400 || outcome.status() >= 500) {
            return "answered " + outcome.status() + " " + abbreviate(outcome.body());
        }
        if (!request.statuses().isEmpty() && !request.statuses().contains(outcome.status())) {
            return "answered " + outcome.status() + ", expected one of " + request.statuses() + ": " + abbreviate(outcome.body());
        }
        if (!outcome.contentType().startsWith(PROBLEM)) {
            return "answered " + outcome.status() + " as '" + outcome.contentType() + "', not " + PROBLEM;
        }
        Map<String, Object> problem;
        try {
            problem = json.readValue(outcome.body(), Argument.mapOf(String.class, Object.class));
        } catch (IOException | RuntimeException e) {
            return "answered " + outcome.status() + " with a problem that is not JSON: " + abbreviate(outcome.body());
        }
        if (!(problem.get("status") instanceof Number status) || status.intValue() != outcome.status()) {
            return "the problem's status is not " + outcome.status() + ": " + abbreviate(outcome.body());
        }
        if (outcome.status() == 400 && !request.fields().isEmpty()) {
            List<Map<String, Object>> errors = (List<Map<String, Object>>) problem.getOrDefault("errors", List.of());
            boolean named = errors.stream().anyMatch(e -> request.fields().contains(String.valueOf(e.get("field"))));
            if (!named) {
                return "the 400 does not name " + request.fields() + ": " + abbreviate(outcome.body());
            }
        }
        return null;
    }

    /**
     * An operation without any input: junk it does not read (a query parameter, a body) must not
     * make it fail with a 5xx. Its answers are its own (they read only), so no fingerprint.
     */
    private int ignoredJunk(Operation operation, List<String> failures) throws InterruptedException {
        int sent = 0;
        String method = operation.method().toUpperCase();
        assertEquals("GET", method, operation.label() + " takes no input, so no request to it can be invalid: "
                + "only reads may be exercised with ignored junk");
        for (String junk : draws(this::junk)) {
            for (Hostile request : List.of(
                    new Hostile("ignored query", method, operation.template() + "?" + encode(junk) + "=" + encode(junk), null, null,
                            Set.of(), Set.of()),
                    new Hostile("ignored body", method, operation.template(), junk.getBytes(StandardCharsets.UTF_8),
                            "application/json", Set.of(), Set.of()))) {
                sent++;
                Outcome outcome = send(request);
                boolean ok = outcome.status() >= 200 && outcome.status() < 300;
                if (!ok && judge(request, outcome) != null) {
                    failures.add(operation.label() + " " + request.what() + ": " + judge(request, outcome));
                }
            }
        }
        return sent;
    }

    // ---------------------------------------------------------------------------------------------
    // State

    /** Each table of Cloudplane's schema: its row count and an MD5 of its rows. */
    private Map<String, String> fingerprint() throws Exception {
        Map<String, String> prints = new TreeMap<>();
        try (Connection c = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(dataSource).getConnection();
             Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select tablename from pg_tables where schemaname = current_schema() order by 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '')"
                        + " from \"" + table + "\" t")) {
                    rs.next();
                    prints.put(table, rs.getString(1));
                }
            }
        }
        assertTrue(prints.containsKey("apps") && prints.containsKey("environments"), "fingerprinted " + prints.keySet());
        return prints;
    }

    private void createResources() throws Exception {
        String email = "hostile-" + UUID.randomUUID() + "@example.com";
        Map<String, Object> account = post("/api/v1/accounts", Map.of("email", email, "password", "correct-horse-battery",
                "firstName", "Ada", "lastName", "Lovelace"), null);
        @SuppressWarnings("unchecked")
        UUID userId = UUID.fromString((String) ((Map<String, Object>) account.get("account")).get("id"));
        token = (String) post("/api/v1/sessions", Map.of("email", email, "password", "correct-horse-battery"), null).get("accessToken");

        Map<String, Object> app = post("/api/v1/apps", Map.of("name", "hostile"), token);
        UUID appId = UUID.fromString((String) app.get("id"));
        @SuppressWarnings("unchecked")
        Map<String, Object> provisioning = (Map<String, Object>) app.get("operation");
        developmentId = UUID.fromString((String) provisioning.get("envId"));
        provisioned(developmentId);
        stagingId = environment(appId, "staging");
        UUID productionId = environment(appId, "production");

        Instant at = Instant.now().minusSeconds(60);
        UUID releaseId = UUID.randomUUID();
        releases.save(new ReleaseRecord(releaseId, appId, "r1", null, developmentId, "development", ReleaseRecord.Status.READY,
                "releases/" + releaseId, "0".repeat(64), 1L, null, userId, at, null));
        UUID deploymentId = UUID.randomUUID();
        deployments.save(DeploymentRecord.pending(deploymentId, appId, stagingId, releaseId, null, false, userId, at));
        UUID backupId = UUID.randomUUID();
        backups.save(new BackupRecord(backupId, appId, stagingId, BackupRecord.Trigger.MANUAL, BackupRecord.Status.COMPLETED, null, null,
                "backups/" + appId + "/" + stagingId + "/" + backupId + "/", 1L, null, null, null, userId, null, at, at, at, at));
        UUID updateId = UUID.randomUUID();
        serverUpdates.save(ServerUpdateRecord.pending(updateId, appId, stagingId, "1.0.0", "1.1.0", false, userId, at));
        UUID promotionId = UUID.randomUUID();
        promotions.save(new PromotionRecord(promotionId, appId, releaseId, stagingId, productionId, PromotionStatus.FAILED,
                PromotionStage.STAGING, null, null, null, null, null, null, null, "x", userId, at, at));
        Map<String, Object> created = post("/api/v1/tokens", Map.of("name", "hostile", "expiresInDays", 30), token);

        fixtures.put("appId", appId);
        fixtures.put("releaseId", releaseId);
        fixtures.put("deploymentId", deploymentId);
        fixtures.put("backupId", backupId);
        fixtures.put("updateId", updateId);
        fixtures.put("promotionId", promotionId);
        fixtures.put("tokenId", UUID.fromString((String) created.get("id")));
        fixtures.put("operationId", UUID.fromString((String) provisioning.get("id")));
        // {userId} of the members' paths: a developer of the app (the owner is the caller).
        Map<String, Object> developer = post("/api/v1/accounts", Map.of("email", "hostile-dev-" + UUID.randomUUID() + "@example.com",
                "password", "correct-horse-battery", "firstName", "Grace", "lastName", "Hopper"), null);
        @SuppressWarnings("unchecked")
        UUID developerId = UUID.fromString((String) ((Map<String, Object>) developer.get("account")).get("id"));
        members.save(io.cloudplane.infra.app.AppMemberRecord.of(appId, developerId, io.cloudplane.infra.app.AppMemberRecord.Role.DEVELOPER));
        fixtures.put("userId", developerId);
        UUID invitationId = UUID.fromString((String) post("/api/v1/apps/" + appId + "/environments/" + stagingId + "/members",
                Map.of("email", "invitee-" + UUID.randomUUID() + "@example.com", "firstName", "In", "lastName", "Vitee",
                        "profile", "user"), token).get("id"));
        invitationToken = InvitationTokens.newToken();
        InvitationRecord invitation = invitations.findById(invitationId).orElseThrow();
        assertEquals(1, invitations.setToken(invitationId, invitation.expiresAt(), InvitationTokens.sha256(invitationToken)));
        fixtures.put("invitationId", invitationId);
        fixtures.put("domainId", UUID.fromString((String) post("/api/v1/apps/" + appId + "/environments/" + stagingId + "/domains",
                Map.of("hostname", "hostile-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com"), token).get("id")));
    }

    /** As a finished provisioning leaves it: RUNNING, with its folders, no operation running. */
    private void provisioned(UUID envId) {
        operations.findActiveForEnvironment(envId).ifPresent(op -> operations.finish(op.id(), OperationStatus.SUCCEEDED, null, Instant.now()));
        environments.updateStatus(envId, EnvironmentStatus.RUNNING, null, Instant.now());
        files.createFolders(envId.toString());
    }

    private UUID environment(UUID appId, String type) throws Exception {
        Map<String, Object> created = post("/api/v1/apps/" + appId + "/environments", Map.of("name", type, "type", type), token);
        UUID envId = UUID.fromString((String) created.get("id"));
        provisioned(envId);
        return envId;
    }

    private Map<String, Object> post(String path, Object body, String bearer) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server.getURI() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 300, path + " answered " + response.statusCode() + ": " + response.body());
        return json.readValue(response.body(), Argument.mapOf(String.class, Object.class));
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.getURI() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Short, on one line, control characters and lone surrogates escaped, so that it can be printed and written. */
    private static String abbreviate(String text) {
        String cut = text.length() <= 160 ? text : text.substring(0, 160) + "…(" + text.length() + " chars)";
        StringBuilder out = new StringBuilder();
        for (char c : cut.toCharArray()) {
            if (c < 0x20 || Character.isSurrogate(c) || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
