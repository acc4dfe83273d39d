package io.cloudplane.infra.runtime.builtin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The small app server of the default catalog: one process per environment. It serves the
 * environment's code folder over HTTP, answers {@code /_health}, and reports whether it can reach
 * the environment's database. It is configured the way Heroku-style platforms configure apps, by
 * environment variables: PORT, CODE_DIR, DATABASE_URL, DATABASE_USERNAME, DATABASE_PASSWORD.
 * Uses the JDK, the PostgreSQL driver and jackson-core only, so that it starts fast. Files are read
 * from the code folder at each request, so new code is served as soon as it is swapped in; only
 * {@code app.json} is read at start.
 */
public final class BuiltinAppServer {
    private final String version;
    private final Path codeDir;
    private final String databaseUrl;
    private final String databaseUser;
    private final String databasePassword;
    private Connection connection;

    private BuiltinAppServer(String version, Map<String, String> env) {
        this.version = version;
        this.codeDir = Path.of(require(env, "CODE_DIR")).toAbsolutePath().normalize();
        this.databaseUrl = require(env, "DATABASE_URL");
        this.databaseUser = require(env, "DATABASE_USERNAME");
        this.databasePassword = require(env, "DATABASE_PASSWORD");
    }

    public static void main(String[] args) throws IOException {
        String version = args.length >= 2 && args[0].equals("--version") ? args[1] : "unknown";
        Map<String, String> env = System.getenv();
        int port = Integer.parseInt(require(env, "PORT"));
        BuiltinAppServer app = new BuiltinAppServer(version, env);
        String invalid = app.checkAppJson();
        if (invalid != null) {
            System.err.println("builtin-app-server: app.json is not valid JSON: " + invalid);
            System.exit(3);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.createContext("/_health", app::health);
        server.createContext("/", app::serve);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        System.out.println("builtin-app-server " + version + " listening on 127.0.0.1:" + port + ", serving " + app.codeDir);
    }

    /**
     * The optional {@code app.json} at the root of the code is read once, at start: a file that is
     * not valid JSON stops the server before it listens, so it never becomes healthy.
     */
    private String checkAppJson() {
        Path file = codeDir.resolve("app.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
            if (parser.nextToken() == null) {
                return "the file is empty";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "content after the JSON value at " + parser.currentLocation();
            }
            return null;
        } catch (IOException e) {
            return e.getMessage().replace('\n', ' ');
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        String database = databaseStatus();
        boolean up = database.equals("UP");
        String body = "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"version\":\"" + version
                + "\",\"database\":\"" + json(database) + "\"}";
        respond(exchange, up ? 200 : 503, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private synchronized String databaseStatus() {
        try {
            if (connection == null || !connection.isValid(2)) {
                if (connection != null) {
                    connection.close();
                }
                connection = DriverManager.getConnection(databaseUrl, databaseUser, databasePassword);
            }
            return "UP";
        } catch (SQLException e) {
            connection = null;
            return "DOWN: " + e.getMessage();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            respond(exchange, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String path = URLDecoder.decode(exchange.getRequestURI().getPath(), StandardCharsets.UTF_8);
        Path file = codeDir.resolve(path.substring(1)).normalize();
        if (!file.startsWith(codeDir)) {
            respond(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (Files.isRegularFile(file)) {
            String type = Files.probeContentType(file);
            respond(exchange, 200, type == null ? "application/octet-stream" : type, Files.readAllBytes(file));
        } else if (path.equals("/")) {
            String page = "<!doctype html><html><head><title>Cloudplane</title></head><body><h1>It works</h1>"
                    + "<p>This environment runs the built-in server " + version + ". Upload code to replace this page.</p>"
                    + "</body></html>\n";
            respond(exchange, 200, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
        } else {
            respond(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Server-Version", version);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    private static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            System.err.println("builtin-app-server: the environment variable " + name + " is required");
            System.exit(2);
        }
        return value;
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }
}
