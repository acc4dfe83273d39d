package io.cloudplane.worker.bench;

import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.worker.AllInOne;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./mvnw -Pbench verify}: releases, measured from outside on the packaged all-in-one.
 * <ol>
 *   <li>deploying a release of {@code bench.release.codeMb} (default 50) MB of code (incompressible
 *   files of 1 MB), alternately two releases so that every deployment swaps code: into a custom
 *   environment (no backup service) and into staging (a safety backup first, of a small database);
 *   from {@code POST …/deployments} to the operation SUCCEEDED, with the median of each step;</li>
 *   <li>cloning an app whose development code is {@code bench.release.cloneMb} (default 200) MB:
 *   the time, and the bytes that went through the worker's storage client while the code was copied
 *   (S3 CopyObject) and unpacked (by a fetcher process, from a presigned URL), as the worker logs them.</li>
 * </ol>
 * The embedded S3 server runs inside the all-in-one, so its own reads and writes are on this
 * machine too; with a real S3 the copy happens in the storage service.
 */
public final class ReleaseBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern THROUGH = Pattern.compile("clone (\\S+): (copied|unpacked) .*\\((\\d+) bytes\\).*bytes through this process meanwhile: (\\d+)");

    private ReleaseBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int codeMb = Integer.getInteger("bench.release.codeMb", 50);
        int cloneMb = Integer.getInteger("bench.release.cloneMb", 200);
        int deploys = Integer.getInteger("bench.release.deploys", 6);
        Path dataDir = Files.createTempDirectory("cloudplane-bench-release");
        try (AllInOne cloudplane = new AllInOne(dataDir, Map.of())) {
            cloudplane.start();
            String token = cloudplane.signUp("bench", "Bench", "Mark");
            Session s = new Session(cloudplane, token);

            var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "bench-release"));
            s.succeeded(app.get("operation.id"));
            String appId = app.get("id");
            String devId = app.get("operation.envId");
            String customId = s.environment(appId, "preview", "custom");
            String stagingId = s.environment(appId, "staging", "staging");

            Path treeA = tree(codeMb, 1);
            Path treeB = tree(codeMb, 2);
            long uploadA = s.upload(appId, devId, treeA);
            String releaseA = s.release(appId, devId, "a");
            s.upload(appId, devId, treeB);
            String releaseB = s.release(appId, devId, "b");

            Map<String, List<Long>> rows = new LinkedHashMap<>();
            for (String[] target : List.of(new String[] {"custom (no backup service)", customId}, new String[] {"staging (safety backup first)", stagingId})) {
                s.deploy(appId, target[1], releaseA); // warm-up: the first deployment into an environment with no code
                for (int i = 0; i < deploys; i++) {
                    Map<String, Long> timing = s.deploy(appId, target[1], i % 2 == 0 ? releaseB : releaseA);
                    for (var e : timing.entrySet()) {
                        rows.computeIfAbsent(target[0] + ": " + e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                    }
                }
            }

            // Clone: a second app whose development code is cloneMb MB.
            var big = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "bench-clone-source"));
            s.succeeded(big.get("operation.id"));
            long bigUpload = s.upload(big.get("id"), big.get("operation.envId"), tree(cloneMb, 3));
            long started = System.nanoTime();
            var clone = cloudplane.call("POST", "/api/v1/apps/" + big.get("id") + "/clone", token, Map.of("name", "bench-clone"));
            if (clone.status() != 202) {
                throw new IllegalStateException(clone.raw());
            }
            String cloneOp = clone.get("operation.id");
            var cloneDone = s.succeeded(cloneOp);
            long cloneMs = (System.nanoTime() - started) / 1_000_000;
            Map<String, Long> cloneSteps = steps(cloneDone);
            long copied = -1;
            long copiedThrough = -1;
            long unpackedThrough = -1;
            Matcher m = THROUGH.matcher(cloudplane.output());
            while (m.find()) {
                if (m.group(1).equals(cloneOp) && m.group(2).equals("copied")) {
                    copied = Long.parseLong(m.group(3));
                    copiedThrough = Long.parseLong(m.group(4));
                } else if (m.group(1).equals(cloneOp)) {
                    unpackedThrough = Long.parseLong(m.group(4));
                }
            }

            System.out.println();
            System.out.printf("Deploying a release of %d MB of code (artifact %.1f MB), n=%d per environment after one warm-up:%n%n",
                    codeMb, uploadA / 1048576.0, deploys);
            System.out.println("| measure | median (min / max) |");
            System.out.println("|---|---|");
            rows.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, stats(v)));
            System.out.println();
            System.out.printf("Cloning an app with %d MB of code (artifact %.1f MB):%n%n", cloneMb, bigUpload / 1048576.0);
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| POST …/clone to operation SUCCEEDED | %d ms |%n", cloneMs);
            cloneSteps.forEach((k, v) -> System.out.printf("| step %s | %d ms |%n", k, v));
            System.out.printf("| bytes copied inside the store (CopyObject) | %d |%n", copied);
            System.out.printf("| bytes through the worker's storage client during copy-code | %d |%n", copiedThrough);
            System.out.printf("| bytes through the worker's storage client during install-code (fetcher process) | %d |%n", unpackedThrough);
        } finally {
            System.out.println("(data directory " + dataDir + ")");
        }
    }

    /** {@code mb} files of 1 MB of random bytes (seeded), under a few folders, and an index page. */
    private static Path tree(int mb, long seed) throws Exception {
        Path dir = Files.createTempDirectory("bench-code-");
        Random random = new Random(seed);
        byte[] block = new byte[1024 * 1024];
        for (int i = 0; i < mb; i++) {
            Path file = dir.resolve("assets/part-" + (i % 8)).resolve("blob-" + i + ".bin");
            Files.createDirectories(file.getParent());
            random.nextBytes(block);
            Files.write(file, block);
        }
        Files.writeString(dir.resolve("index.html"), "<h1>release " + seed + "</h1>");
        return dir;
    }

    private static Map<String, Long> steps(AllInOne.Response op) {
        Map<String, Long> result = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) op.body().get("steps");
        for (Map<String, Object> step : steps) {
            if (step.get("endedAt") != null && step.get("startedAt") != null) {
                result.put((String) step.get("name"), Duration.between(Instant.parse((String) step.get("startedAt")),
                        Instant.parse((String) step.get("endedAt"))).toMillis());
            }
        }
        return result;
    }

    private static String stats(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        long median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return String.format("%d ms (%d / %d)", median, sorted.get(0), sorted.get(n - 1));
    }

    private record Session(AllInOne cloudplane, String token) {
        AllInOne.Response succeeded(String operationId) throws Exception {
            var op = cloudplane.awaitOperation(operationId, token, TIMEOUT);
            if (!"SUCCEEDED".equals(op.get("status"))) {
                throw new IllegalStateException(op.raw());
            }
            return op;
        }

        String environment(String appId, String name, String type) throws Exception {
            var env = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments", token, Map.of("name", name, "type", type));
            succeeded(env.get("operation.id"));
            return env.get("id");
        }

        /** Uploads the tree as a tar.gz; returns the archive's size. */
        long upload(String appId, String envId, Path tree) throws Exception {
            Path archive = Files.createTempFile("bench-code-", ".tar.gz");
            try (OutputStream out = Files.newOutputStream(archive)) {
                CodeArchives.writeTarGz(tree, out);
            }
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(cloudplane.baseUrl() + "/api/v1/apps/" + appId
                            + "/environments/" + envId + "/code")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/gzip").timeout(TIMEOUT)
                    .PUT(HttpRequest.BodyPublishers.ofFile(archive)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(response.body());
            }
            long size = Files.size(archive);
            Files.delete(archive);
            return size;
        }

        String release(String appId, String devId, String name) throws Exception {
            var created = cloudplane.call("POST", "/api/v1/apps/" + appId + "/releases", token,
                    Map.of("name", name, "sourceEnvironmentId", devId));
            succeeded(created.get("operation.id"));
            return created.get("id");
        }

        /** Deploys and returns the total and each step's milliseconds. */
        Map<String, Long> deploy(String appId, String envId, String releaseId) throws Exception {
            long started = System.nanoTime();
            var accepted = cloudplane.call("POST", "/api/v1/apps/" + appId + "/environments/" + envId + "/deployments", token,
                    Map.of("releaseId", releaseId));
            if (accepted.status() != 202) {
                throw new IllegalStateException(accepted.raw());
            }
            var op = succeeded(accepted.get("operation.id"));
            Map<String, Long> timing = new LinkedHashMap<>();
            timing.put("POST …/deployments to SUCCEEDED", (System.nanoTime() - started) / 1_000_000);
            steps(op).forEach((k, v) -> timing.put("step " + k, v));
            return timing;
        }
    }
}
