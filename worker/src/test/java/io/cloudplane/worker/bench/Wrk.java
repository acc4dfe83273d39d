package io.cloudplane.worker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator of the API benchmarks: Debian's {@code wrk} (HTTP/1.1, keep-alive), run as a
 * process, its summary parsed. Absent, it fails with how to install it.
 */
final class Wrk {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    private Wrk() {
    }

    /** One run's figures; latencies in milliseconds. */
    record Result(String url, int connections, int seconds, double requestsPerSecond, long requests, long non2xx,
                  long socketErrors, double p50, double p90, double p99, String raw) {
        String row(String label) {
            return String.format("| %s | %,.0f | %.1f ms | %.1f ms | %.1f ms | %d | %d |", label, requestsPerSecond, p50, p90, p99,
                    non2xx, socketErrors);
        }
    }

    static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "wrk");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("wrk is not installed: the API benchmarks use it as their load generator"
                + " (Debian: apt-get install wrk)");
    }

    /** {@code wrk -t threads -c connections -d seconds --latency} with the bearer token on every request. */
    static Result run(String url, String token, int threads, int connections, int seconds) throws IOException, InterruptedException {
        return run(url, token, threads, connections, seconds, null);
    }

    /** As {@link #run(String, String, int, int, int)}, with a Lua {@code script} (wrk's -s) choosing the requests, if not null. */
    static Result run(String url, String token, int threads, int connections, int seconds, Path script)
            throws IOException, InterruptedException {
        return run(url, List.of("Authorization: Bearer " + token), threads, connections, seconds, script);
    }

    /** As {@link #run(String, String, int, int, int, Path)}, with these request headers ({@code "Name: value"}) instead of a token. */
    static Result run(String url, List<String> headers, int threads, int connections, int seconds, Path script)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString(), "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "--latency"));
        for (String header : headers) {
            command.addAll(List.of("-H", header));
        }
        if (script != null) {
            command.addAll(List.of("-s", script.toString()));
        }
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        Matcher rate = RATE.matcher(out);
        Matcher total = TOTAL.matcher(out);
        if (!rate.find() || !total.find()) {
            throw new IllegalStateException("no figures in wrk's output:\n" + out);
        }
        Matcher non2xx = NON_2XX.matcher(out);
        Matcher socket = SOCKET_ERRORS.matcher(out);
        long errors = 0;
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        double[] percentiles = new double[3];
        Matcher p = PERCENTILE.matcher(out);
        while (p.find()) {
            double value = Double.parseDouble(p.group(2)) * switch (p.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            };
            percentiles[switch (p.group(1)) { case "50" -> 0; case "90" -> 1; default -> 2; }] = value;
        }
        return new Result(url, connections, seconds, Double.parseDouble(rate.group(1)), Long.parseLong(total.group(1)),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errors, percentiles[0], percentiles[1], percentiles[2], out);
    }
}
