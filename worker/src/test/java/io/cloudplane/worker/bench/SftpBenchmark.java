package io.cloudplane.worker.bench;

import io.cloudplane.infra.files.FileTrees;
import io.cloudplane.worker.AllInOne;
import io.cloudplane.worker.sftp.OpenSshServer;
import io.cloudplane.worker.sftp.OpenSshSftp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./mvnw -Pbench ... exec:exec@run-sftp-benchmark}: issue 16's figures, OpenSSH's own {@code sftp}
 * client on loopback against the packaged all-in-one's SFTP server and against Debian's {@code sshd}
 * ({@link OpenSshServer}, {@code internal-sftp}) on the same machine, in the same run.
 * <ol>
 *   <li>Throughput: one {@code bench.sftp.mb} (500) MB file of random bytes put, then got back, against each
 *   server, alternating (Cloudplane put, OpenSSH put, Cloudplane get, OpenSSH get), {@code bench.sftp.rounds}
 *   (3) rounds; the median MB/s of each and Cloudplane's ratio to OpenSSH's. Target: at least 0.6× both ways.
 *   Each transfer is a whole {@code sftp -b} run (login included), timed from start to exit; the bytes that
 *   arrived are checked.</li>
 *   <li>{@code bench.sftp.sessions} (20) concurrent sessions each putting {@code bench.sftp.session-mb} (50) MB
 *   to Cloudplane, the all-in-one's heap used sampled ({@code jcmd GC.heap_info} every 200 ms) for 3 s
 *   before and during, and the old generation ({@code jstat -gc}'s OU). "Flat" is about what the server keeps:
 *   targets: the old generation grows by less than 100 MB while the sessions run (what outlived young
 *   collections), and the heap after a full GC at the end is within 10 MB of one before (nothing kept per
 *   session or per byte moved). Printed beside them, not a target: the largest heap used during less the
 *   largest before, which is mostly young garbage and grows with the allocation rate (G1 sizes the young
 *   generation to it; the all-in-one runs with the JVM's default maximum heap).</li>
 * </ol>
 * {@code bench.sftp.ciphers} (empty: each side's defaults: OpenSSH 9.2's client and sshd settle on chacha20-poly1305, and with
 * Cloudplane's default list, which has no chacha20-poly1305, on aes128-ctr) makes the
 * client offer only those ciphers to both servers, for a comparison per cipher. Each run prints what was negotiated.
 * Fails when a target is missed. Needs Debian's openssh-client and openssh-server.
 */
public final class SftpBenchmark {
    private static final String PASSWORD = "correct-horse-battery";
    private static final long MB = 1024 * 1024;

    private SftpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        OpenSshSftp.requireInstalled();
        if (!Files.isExecutable(OpenSshServer.SSHD)) {
            throw new IllegalStateException(OpenSshServer.SSHD + " is missing: install Debian's openssh-server");
        }
        Path dir = Files.createTempDirectory("cloudplane-bench-sftp-");
        List<String> failures;
        try {
            failures = run(dir);
        } finally {
            FileTrees.delete(dir);
        }
        if (!failures.isEmpty()) {
            System.out.println("FAILED: " + String.join("; ", failures));
            System.exit(1);
        }
        System.out.println("SFTP benchmark: every target met");
    }

    private static List<String> run(Path dir) throws Exception {
        int sizeMb = Integer.getInteger("bench.sftp.mb", 500);
        int rounds = Integer.getInteger("bench.sftp.rounds", 3);
        int sessions = Integer.getInteger("bench.sftp.sessions", 20);
        int sessionMb = Integer.getInteger("bench.sftp.session-mb", 50);
        List<String> failures = new ArrayList<>();
        Path work = Files.createDirectories(dir.resolve("client"));
        int sftpPort = AllInOne.freePort();
        long quotaMb = sizeMb + (long) sessions * sessionMb + 1024;
        try (AllInOne cloudplane = new AllInOne(dir.resolve("cloudplane"), Map.of(
                "CLOUDPLANE_SFTP_PORT", Integer.toString(sftpPort),
                "CLOUDPLANE_SFTP_QUOTA_MB", Long.toString(quotaMb),
                // one person opens every concurrent session of the second part
                "CLOUDPLANE_SFTP_MAX_SESSIONS_PER_USER", Integer.toString(sessions + 5)))) {
            cloudplane.start();
            String email = "bench-" + UUID.randomUUID() + "@example.com";
            cloudplane.call("POST", "/api/v1/accounts", null, Map.of("email", email, "password", PASSWORD, "firstName", "Bench", "lastName", "Mark"));
            String token = cloudplane.call("POST", "/api/v1/sessions", null, Map.of("email", email, "password", PASSWORD)).get("accessToken");
            var app = cloudplane.call("POST", "/api/v1/apps", token, Map.of("name", "bench"));
            if (!"SUCCEEDED".equals(cloudplane.awaitCreated(app, token, Duration.ofSeconds(120)).get("status"))) {
                throw new IllegalStateException("the app was not created: " + cloudplane.output());
            }
            String envPath = "/api/v1/apps/" + app.get("id") + "/environments/" + app.get("operation.envId");
            var sftp = cloudplane.call("GET", envPath + "/sftp", token, null);
            if (sftp.status() != 200) {
                throw new IllegalStateException("GET …/sftp answered " + sftp.status() + ": " + sftp.raw());
            }
            OpenSshSftp.Key key = OpenSshSftp.newKey(work.resolve("keys"), "bench");
            var registered = cloudplane.call("POST", "/api/v1/account/ssh-keys", token, Map.of("name", "bench", "publicKey", key.publicKey()));
            if (registered.status() != 201) {
                throw new IllegalStateException("the key was not registered: " + registered.status() + " " + registered.raw());
            }
            Path cloudplaneHosts = OpenSshSftp.knownHosts(work.resolve("known_hosts_cloudplane"), "127.0.0.1", sftpPort,
                    sftp.get("hostKeyFingerprint"));
            OpenSshSftp toCloudplane = new OpenSshSftp("127.0.0.1", sftpPort, sftp.get("userName"), cloudplaneHosts, work).withKey(key);

            try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), key)) {
                Path sshdHosts = OpenSshSftp.knownHosts(work.resolve("known_hosts_openssh"), "127.0.0.1", sshd.port(), sshd.hostKeyFingerprint());
                OpenSshSftp toOpenSsh = new OpenSshSftp("127.0.0.1", sshd.port(), sshd.user(), sshdHosts, work).withKey(key);
                Path sshdFiles = Files.createDirectories(dir.resolve("openssh-files"));
                Path cloudplaneFiles = cloudplane.dataDir().resolve("environments").resolve((String) app.get("operation.envId")).resolve("resources");
                throughput(sizeMb, rounds, work, toCloudplane, "/resources/bench.bin", cloudplaneFiles.resolve("bench.bin"),
                        toOpenSsh, sshdFiles.resolve("bench.bin").toString(), sshdFiles.resolve("bench.bin"), failures);
            }
            concurrent(cloudplane, toCloudplane, sessions, sessionMb, work, cloudplane.dataDir().resolve("environments")
                    .resolve((String) app.get("operation.envId")).resolve("resources"), failures);
        }
        return failures;
    }

    private static void throughput(int sizeMb, int rounds, Path work, OpenSshSftp cloudplane, String cloudplaneRemote, Path cloudplaneDisk,
                                   OpenSshSftp openssh, String opensshRemote, Path opensshDisk, List<String> failures) throws Exception {
        String ciphers = System.getProperty("bench.sftp.ciphers", "");
        if (!ciphers.isBlank()) {
            cloudplane.withOption("Ciphers=" + ciphers);
            openssh.withOption("Ciphers=" + ciphers);
        }
        System.out.println("negotiated with Cloudplane: " + negotiated(cloudplane));
        System.out.println("negotiated with OpenSSH:    " + negotiated(openssh));
        Path file = work.resolve("upload.bin");
        long bytes = sizeMb * MB;
        writeRandom(file, bytes, 16);
        Path back = work.resolve("download.bin");
        List<Double> cpPut = new ArrayList<>();
        List<Double> osPut = new ArrayList<>();
        List<Double> cpGet = new ArrayList<>();
        List<Double> osGet = new ArrayList<>();
        // a warm-up of each, not counted: the JIT of the all-in-one's SFTP path, the page cache
        transfer(cloudplane, "put " + file + " " + cloudplaneRemote, cloudplaneDisk, bytes);
        transfer(openssh, "put " + file + " " + opensshRemote, opensshDisk, bytes);
        for (int round = 1; round <= rounds; round++) {
            cpPut.add(sizeMb / transfer(cloudplane, "put " + file + " " + cloudplaneRemote, cloudplaneDisk, bytes));
            osPut.add(sizeMb / transfer(openssh, "put " + file + " " + opensshRemote, opensshDisk, bytes));
            Files.deleteIfExists(back);
            cpGet.add(sizeMb / transfer(cloudplane, "get " + cloudplaneRemote + " " + back, back, bytes));
            Files.deleteIfExists(back);
            osGet.add(sizeMb / transfer(openssh, "get " + opensshRemote + " " + back, back, bytes));
            Files.deleteIfExists(back);
            System.out.printf("round %d: put %.0f MB/s Cloudplane, %.0f MB/s OpenSSH; get %.0f MB/s Cloudplane, %.0f MB/s OpenSSH%n", round,
                    cpPut.get(round - 1), osPut.get(round - 1), cpGet.get(round - 1), osGet.get(round - 1));
        }
        double putRatio = median(cpPut) / median(osPut);
        double getRatio = median(cpGet) / median(osGet);
        System.out.printf("%d MB upload, median of %d: Cloudplane %.0f MB/s, OpenSSH %.0f MB/s, ratio %.2f (target >= 0.6)%n",
                sizeMb, rounds, median(cpPut), median(osPut), putRatio);
        System.out.printf("%d MB download, median of %d: Cloudplane %.0f MB/s, OpenSSH %.0f MB/s, ratio %.2f (target >= 0.6)%n",
                sizeMb, rounds, median(cpGet), median(osGet), getRatio);
        if (putRatio < 0.6) {
            failures.add(String.format("upload at %.2f× OpenSSH's server, under 0.6×", putRatio));
        }
        if (getRatio < 0.6) {
            failures.add(String.format("download at %.2f× OpenSSH's server, under 0.6×", getRatio));
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(cloudplaneDisk);
        Files.deleteIfExists(opensshDisk);
    }

    /** The key exchange, cipher and MAC the client chose with the server (ssh's own debug lines). */
    private static String negotiated(OpenSshSftp client) throws Exception {
        OpenSshSftp.Result result = client.withOption("LogLevel=DEBUG1").batch("pwd");
        client.withoutOption("LogLevel=DEBUG1");
        List<String> lines = result.stderr().lines().filter(l -> l.contains("kex: algorithm:") || l.contains("kex: server->client cipher:")
                || l.contains("kex: client->server cipher:")).map(l -> l.replace("debug1: kex: ", "")).toList();
        return String.join("; ", lines);
    }

    /** One {@code sftp -b} run of {@code command}; its seconds, start to exit; fails unless {@code arrived} has {@code bytes} bytes. */
    private static double transfer(OpenSshSftp client, String command, Path arrived, long bytes) throws Exception {
        long started = System.nanoTime();
        OpenSshSftp.Result result = client.batch(command);
        double seconds = (System.nanoTime() - started) / 1e9;
        if (!result.ok()) {
            throw new IllegalStateException(command + " failed: " + result);
        }
        if (Files.size(arrived) != bytes) {
            throw new IllegalStateException(command + ": " + Files.size(arrived) + " bytes arrived of " + bytes);
        }
        return seconds;
    }

    private static void concurrent(AllInOne cloudplane, OpenSshSftp client, int sessions, int sessionMb, Path work, Path disk,
                                   List<String> failures) throws Exception {
        Path file = work.resolve("session.bin");
        long bytes = sessionMb * MB;
        writeRandom(file, bytes, 17);
        HeapSampler sampler = new HeapSampler(cloudplane.pid());
        long fullBefore = heapAfterFullGc(cloudplane.pid());
        sampler.reset();
        Thread.sleep(3000);
        long before = sampler.maxKb();
        long oldBefore = sampler.maxOldKb();
        long gcsBefore = sampler.youngGcs();
        sampler.reset();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        long started = System.nanoTime();
        List<Future<OpenSshSftp.Result>> results = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            String remote = "/resources/session-" + i + ".bin";
            results.add(pool.submit(() -> client.batch("put " + file + " " + remote)));
        }
        int ok = 0;
        for (int i = 0; i < sessions; i++) {
            OpenSshSftp.Result result = results.get(i).get();
            Path arrived = disk.resolve("session-" + i + ".bin");
            if (result.ok() && Files.exists(arrived) && Files.size(arrived) == bytes) {
                ok++;
            } else {
                failures.add("session " + i + " did not put its " + sessionMb + " MB whole: " + result);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        long during = sampler.maxKb();
        long oldDuring = sampler.maxOldKb();
        long gcsDuring = sampler.youngGcs() - gcsBefore;
        long samples = sampler.samples();
        sampler.stop();
        long fullAfter = heapAfterFullGc(cloudplane.pid());
        System.out.printf("%d concurrent sessions putting %d MB each: %d whole in %.1f s (%.0f MB/s in all)%n",
                sessions, sessionMb, ok, seconds, sessions * sessionMb / seconds);
        System.out.printf("all-in-one heap used, max: %,d KiB in the 3 s before, %,d KiB during (+%,d KiB, %d samples);"
                + " after a full GC: %,d KiB before, %,d KiB after (%+,d KiB)%n", before, during, during - before, samples,
                fullBefore, fullAfter, fullAfter - fullBefore);
        System.out.printf("old generation used, max: %,d KiB before, %,d KiB during (%+,d KiB); %d young collections during%n",
                oldBefore, oldDuring, oldDuring - oldBefore, gcsDuring);
        if (oldDuring - oldBefore > 100 * 1024) {
            failures.add(String.format("the old generation grew by %,d KiB during the %d sessions, 100 MB or more", oldDuring - oldBefore, sessions));
        }
        if (fullAfter - fullBefore > 10 * 1024) {
            failures.add(String.format("the heap after a full GC grew by %,d KiB over the %d sessions, 10 MB or more", fullAfter - fullBefore, sessions));
        }
        Files.deleteIfExists(file);
    }

    /** Bytes of a seeded random stream, so that nothing on the way compresses them. */
    private static void writeRandom(Path file, long bytes, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] block = new byte[(int) MB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < bytes; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** {@code jstat -gc <pid>}: the old generation used (KiB) and the count of young collections; null when unreadable. */
    private static long[] oldGenAndYoungGcs(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), "-gc", Long.toString(pid))
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor();
        if (lines.size() < 2) {
            return null;
        }
        List<String> header = List.of(lines.get(0).trim().split("\\s+"));
        String[] values = lines.get(1).trim().split("\\s+");
        int ou = header.indexOf("OU");
        int ygc = header.indexOf("YGC");
        if (ou < 0 || ygc < 0 || values.length <= Math.max(ou, ygc)) {
            return null;
        }
        return new long[] {(long) Double.parseDouble(values[ou]), Long.parseLong(values[ygc])};
    }

    private static long heapAfterFullGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher used = USED.matcher(jcmd(pid, "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    /** {@code jcmd <pid> GC.heap_info} every 200 ms: the largest heap used seen. */
    private static final class HeapSampler {
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private final AtomicLong maxOld = new AtomicLong();
        private final AtomicLong youngGcs = new AtomicLong();
        private volatile boolean running = true;

        HeapSampler(long pid) {
            Thread thread = new Thread(() -> {
                while (running) {
                    try {
                        Matcher used = USED.matcher(jcmd(pid, "GC.heap_info"));
                        if (used.find()) {
                            max.accumulateAndGet(Long.parseLong(used.group(1)), Math::max);
                            samples.incrementAndGet();
                        }
                        long[] old = oldGenAndYoungGcs(pid);
                        if (old != null) {
                            maxOld.accumulateAndGet(old[0], Math::max);
                            youngGcs.set(old[1]);
                        }
                        Thread.sleep(200);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long maxKb() {
            return max.get();
        }

        /** The largest old generation used seen (jstat's OU), KiB: what outlived young collections. */
        long maxOldKb() {
            return maxOld.get();
        }

        /** Young collections since the JVM started, at the last sample. */
        long youngGcs() {
            return youngGcs.get();
        }

        long samples() {
            return samples.get();
        }

        void reset() {
            max.set(0);
            maxOld.set(0);
            samples.set(0);
        }

        void stop() {
            running = false;
        }
    }
}
