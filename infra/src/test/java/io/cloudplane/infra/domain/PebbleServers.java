package io.cloudplane.infra.domain;

import io.cloudplane.infra.domain.TestCertificates.Issued;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Let's Encrypt's test ACME server {@code pebble} and its DNS test server {@code pebble-challtestsrv}
 * (Debian's {@code pebble} package), started on free loopback ports for a test. The DNS server
 * answers only what the test sets (no default A/AAAA answers); Pebble resolves through it and
 * validates HTTP-01 challenges on {@code http://<host>:<httpPort>/}.
 *
 * <pre>{@code
 * try (PebbleServers pebble = PebbleServers.start(gatewayHttpPort)) {
 *     pebble.addA("shop.example.com", "127.0.0.1");
 *     // cloudplane.domain.acme-directory = pebble.directoryUrl(),
 *     // cloudplane.domain.acme-trust-pem = pebble.trustPemFile(), cloudplane.dns.resolver = pebble.dnsResolver()
 * }
 * }</pre>
 *
 * The DNS server answers A, AAAA, CNAME (followed one level), TXT and CAA questions, SERVFAIL for a
 * name set by {@link #setServfail}, and "not implemented" for others (NS, SOA).
 */
public final class PebbleServers implements AutoCloseable {
    private static final String INSTALL = "install Debian's pebble package (apt-get install pebble)";
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Thread> shutdownHooks = new ArrayList<>();
    private final HttpClient client;
    private int dnsPort;
    private int challengeManagementPort;
    private int directoryPort;
    private int pebbleManagementPort;
    private Path trustPem;

    private PebbleServers(Path dir, HttpClient client) {
        this.dir = dir;
        this.client = client;
    }

    /** Both servers, Pebble validating HTTP-01 on {@code httpPort}, certificates valid for Pebble's default (about 5 years). */
    public static PebbleServers start(int httpPort) {
        return start(httpPort, null);
    }

    /**
     * Both servers, Pebble issuing certificates valid for {@code certificateValidity} (its
     * {@code certificateValidityPeriod}, whole seconds), e.g. for renewal tests.
     */
    public static PebbleServers start(int httpPort, Duration certificateValidity) {
        Path challtestsrv = binary("pebble-challtestsrv");
        Path pebble = binary("pebble");
        Issued root = TestCertificates.root("Cloudplane test Pebble HTTPS CA");
        Issued https = root.issue("localhost", false, TestCertificates.ecKeyPair(), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30)), List.of("localhost"), List.of("127.0.0.1"));
        PebbleServers servers;
        try {
            Path dir = Files.createTempDirectory("pebble");
            SSLContext ssl = sslTrusting(root.certificatePem());
            servers = new PebbleServers(dir, HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build());
            servers.trustPem = TestCertificates.write(dir.resolve("trust.pem"), root.certificatePem());
            Path certificate = TestCertificates.write(dir.resolve("https.pem"), https.certificatePem());
            Path key = TestCertificates.write(dir.resolve("https-key.pem"), https.privateKeyPem());
            try {
                servers.startChallengeServer(challtestsrv);
                servers.startPebble(pebble, httpPort, certificate, key, certificateValidity);
            } catch (RuntimeException | Error e) {
                servers.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return servers;
    }

    private void startChallengeServer(Path binary) {
        dnsPort = freeUdpAndTcpPort();
        challengeManagementPort = freePort();
        launch("pebble-challtestsrv", List.of(binary.toString(),
                "-dns01", "127.0.0.1:" + dnsPort,
                "-management", "127.0.0.1:" + challengeManagementPort,
                "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-defaultIPv4", "", "-defaultIPv6", ""), List.of());
        awaitListening("pebble-challtestsrv", dnsPort);
        awaitListening("pebble-challtestsrv", challengeManagementPort);
    }

    private void startPebble(Path binary, int httpPort, Path certificate, Path key, Duration validity) throws IOException {
        directoryPort = freePort();
        pebbleManagementPort = freePort();
        String config = """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": false%s
                }}
                """.formatted(directoryPort, pebbleManagementPort, certificate, key, httpPort, freePort(),
                validity == null ? "" : ",\n  \"certificateValidityPeriod\": " + Math.max(1, validity.toSeconds()));
        Path configFile = Files.writeString(dir.resolve("pebble-config.json"), config);
        launch("pebble", List.of(binary.toString(), "-config", configFile.toString(), "-dnsserver", dnsResolver()),
                // no sleeps before validation, no good nonce refused (acme4j retries a bad nonce, but tests
                // should not depend on it), no authorization reused (every order proves itself)
                List.of("PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"));
        awaitListening("pebble", directoryPort);
        awaitListening("pebble", pebbleManagementPort);
    }

    /** The ACME directory, {@code https://127.0.0.1:<port>/dir}. */
    public String directoryUrl() {
        return "https://127.0.0.1:" + directoryPort + "/dir";
    }

    /** A PEM file with the CA of Pebble's own HTTPS certificate (for {@code cloudplane.domain.acme-trust-pem}). */
    public Path trustPemFile() {
        return trustPem;
    }

    /** The DNS test server, {@code 127.0.0.1:<port>} (for {@code cloudplane.dns.resolver}). */
    public String dnsResolver() {
        return "127.0.0.1:" + dnsPort;
    }

    /** Pebble's issuing root as PEM (changes with every start of Pebble): what a TLS client must trust. */
    public String roots() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + pebbleManagementPort + "/roots/0")).GET().build());
        return response.body();
    }

    /** Sets the TXT record {@code name} to this one value (replacing any). */
    public void setTxt(String name, String value) {
        clearTxt(name);
        manage("set-txt", "{\"host\":" + json(fqdn(name)) + ",\"value\":" + json(value) + "}");
    }

    public void clearTxt(String name) {
        manage("clear-txt", host(name));
    }

    /** Adds A records to the host's. */
    public void addA(String host, String... ips) {
        manage("add-a", "{\"host\":" + json(fqdn(host)) + ",\"addresses\":" + jsonArray(ips) + "}");
    }

    public void clearA(String host) {
        manage("clear-a", host(host));
    }

    public void addAaaa(String host, String... ips) {
        manage("add-aaaa", "{\"host\":" + json(fqdn(host)) + ",\"addresses\":" + jsonArray(ips) + "}");
    }

    public void clearAaaa(String host) {
        manage("clear-aaaa", host(host));
    }

    /** A CNAME at {@code host}; the server follows it one level for other questions about {@code host}. */
    public void setCname(String host, String target) {
        manage("set-cname", "{\"host\":" + json(fqdn(host)) + ",\"target\":" + json(fqdn(target)) + "}");
    }

    public void clearCname(String host) {
        manage("clear-cname", host(host));
    }

    /**
     * Adds a CAA record (flag 0: the DNS test server of Pebble 2.4 has no flags) with {@code tag}
     * ({@code issue}, {@code issuewild}, {@code iodef}) and {@code value}.
     */
    public void addCaa(String host, String tag, String value) {
        manage("add-caa", "{\"host\":" + json(fqdn(host)) + ",\"policies\":[{\"tag\":" + json(tag) + ",\"value\":" + json(value) + "}]}");
    }

    public void clearCaa(String host) {
        manage("clear-caa", host(host));
    }

    /** Every question about {@code host} answers SERVFAIL until {@link #clearServfail}. */
    public void setServfail(String host) {
        manage("set-servfail", host(host));
    }

    public void clearServfail(String host) {
        manage("clear-servfail", host(host));
    }

    /** Stops both servers and waits for them to end. */
    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        shutdownHooks.forEach(hook -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        });
        shutdownHooks.clear();
    }

    private void manage(String path, String body) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + challengeManagementPort + "/" + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("pebble-challtestsrv refused " + path + " " + body + ": " + response.statusCode() + " " + response.body());
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch(String name, List<String> command, List<String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        for (String variable : environment) {
            int equals = variable.indexOf('=');
            builder.environment().put(variable.substring(0, equals), variable.substring(equals + 1));
        }
        try {
            Process process = builder.start();
            processes.add(process);
            // a test that dies without closing must not leave the servers behind
            Thread hook = new Thread(process::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(hook);
            shutdownHooks.add(hook);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name + " (" + INSTALL + "): " + e.getMessage(), e);
        }
    }

    private void awaitListening(String name, int port) {
        Instant deadline = Instant.now().plus(STARTUP);
        Process process = processes.get(processes.size() - 1);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " (" + (process.isAlive()
                            ? "still starting after " + STARTUP.toSeconds() + " s" : "exited with " + process.exitValue()) + "): " + log(name));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static Path binary(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(name + " is not installed: " + INSTALL);
    }

    private static SSLContext sslTrusting(String pem) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("pebble-https", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port free for both TCP and UDP on loopback (a DNS server listens on both). */
    private static int freeUdpAndTcpPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no loopback port free for both TCP and UDP");
    }

    private static String fqdn(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    private static String host(String host) {
        return "{\"host\":" + json(fqdn(host)) + "}";
    }

    private static String jsonArray(String... values) {
        return List.of(values).stream().map(PebbleServers::json).collect(Collectors.joining(",", "[", "]"));
    }

    private static String json(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
