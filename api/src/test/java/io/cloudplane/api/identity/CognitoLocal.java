package io.cloudplane.api.identity;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AuthFlowType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.ExplicitAuthFlowsType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.TimeUnitsType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * cognito-local (npm, the version api/package-lock.json pins; {@code npm ci --prefix api}
 * installs it) on a free loopback port with its own data directory, for the Cognito adapter's tests.
 * A missing Node.js or package fails the test with what to install: it never skips.
 * <p>
 * Where cognito-local differs from AWS: every token is signed by one RSA key whose private half
 * ships in the npm package, with {@code kid} "CognitoLocal" (AWS: a key pair per pool, rotated);
 * the issuer is {@code http://<HOST>:<PORT>/<pool>} (AWS: {@code https://cognito-idp.<region>.amazonaws.com/<pool>}),
 * and its openid-configuration names localhost:9229 whatever the port; it accepts token validities
 * below AWS's minimum of 5 minutes (used here to get expired tokens); pools default to email as
 * username (set back to none by the config written here).
 */
final class CognitoLocal implements AutoCloseable {
    static final Path START = Path.of("node_modules", "cognito-local", "lib", "bin", "start.js").toAbsolutePath();
    private final Process process;
    private final Path directory;
    private final int port;
    private final CognitoIdentityProviderClient client;

    private CognitoLocal(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.client = CognitoIdentityProviderClient.builder().region(Region.of("local")).endpointOverride(URI.create(endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static CognitoLocal start() throws IOException, InterruptedException {
        String node = nodeOrFail();
        if (!Files.isRegularFile(START)) {
            fail("cognito-local is not installed at " + START + ": run `npm ci --prefix api` (the README's test command, .ci/test, does)");
        }
        Path directory = Files.createTempDirectory("cognito-local");
        Files.createDirectories(directory.resolve(".cognito"));
        // Pools without a username attribute: Cloudplane names pool users by its user IDs.
        Files.writeString(directory.resolve(".cognito/config.json"), "{\"UserPoolDefaults\": {\"UsernameAttributes\": []}}");
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            ProcessBuilder builder = new ProcessBuilder(node, START.toString()).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(directory.resolve("cognito-local.log").toFile());
            builder.environment().put("PORT", Integer.toString(port));
            builder.environment().put("HOST", "127.0.0.1");
            Process process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && process.isAlive()) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new CognitoLocal(process, directory, port);
                } catch (IOException e) {
                    last = e;
                    Thread.sleep(100);
                }
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(directory.resolve("cognito-local.log"), StandardCharsets.UTF_8);
        delete(directory);
        throw new IllegalStateException("cognito-local did not start: " + last + "\n" + log);
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** An admin client of the server (cognito-local takes any credentials). */
    CognitoIdentityProviderClient client() {
        return client;
    }

    /** A new pool without username attributes, as Cloudplane wants one. */
    String createPool(String name) {
        return client.createUserPool(r -> r.poolName(name)).userPool().id();
    }

    /** An app client without a secret that allows USER_PASSWORD_AUTH, its access tokens valid for {@code accessTokenValidity}. */
    String createClient(String poolId, Duration accessTokenValidity) {
        return client.createUserPoolClient(r -> r.userPoolId(poolId).clientName("cloudplane").generateSecret(false)
                .explicitAuthFlows(ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH, ExplicitAuthFlowsType.ALLOW_REFRESH_TOKEN_AUTH)
                .accessTokenValidity((int) accessTokenValidity.toSeconds())
                .tokenValidityUnits(u -> u.accessToken(TimeUnitsType.SECONDS))).userPoolClient().clientId();
    }

    /** Signs in directly, as a pool's own client would. */
    software.amazon.awssdk.services.cognitoidentityprovider.model.AuthenticationResultType signIn(String clientId, String username,
                                                                                                 String password) {
        return client.initiateAuth(r -> r.clientId(clientId).authFlow(AuthFlowType.USER_PASSWORD_AUTH)
                .authParameters(java.util.Map.of("USERNAME", username, "PASSWORD", password))).authenticationResult();
    }

    List<String> groupsOf(String poolId, String username) {
        return client.adminListGroupsForUser(r -> r.userPoolId(poolId).username(username)).groups().stream()
                .map(g -> g.groupName()).sorted().toList();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        client.close();
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        delete(directory);
    }

    private static String nodeOrFail() {
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0) {
                return "node";
            }
        } catch (IOException | InterruptedException e) {
            // reported below
        }
        return fail("Node.js (`node`) is not installed: the Cognito tests run cognito-local on it (Debian: apt-get install nodejs npm)");
    }

    /** A free port of 20000–32767, below Linux's ephemeral range (see infra's LoopbackPorts). */
    private static int freePort() throws IOException {
        for (int i = 0; i < 200; i++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 32768);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException busy) {
                // next
            }
        }
        throw new IOException("no free port from 20000 to 32767");
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
