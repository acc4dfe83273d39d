package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cloudplane}: the command line over the REST API, in the Heroku CLI's habits ({@code TOPIC:COMMAND},
 * {@code -a/--app}, {@code -e/--env}). A plain client: java.net.http and Jackson, no Micronaut context, so it starts
 * in a fraction of a second. Exit codes: 0 success, 1 failure (the API's problem is printed), 2 usage.
 */
@Command(name = "cloudplane", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "cloudplane CLI",
        description = "Cloudplane's command line. Commands are TOPIC:COMMAND; -a/--app and -e/--env take a name or an ID.",
        footer = {"", "CLOUDPLANE_API_URL and CLOUDPLANE_API_KEY override what `cloudplane login` keeps in ~/.config/cloudplane/credentials."})
public final class Cli implements Runnable {
    final Map<String, String> env;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final Terminal terminal;
    final long pollMillis;
    @Spec
    CommandSpec spec;

    Cli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Terminal terminal, long pollMillis) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.pollMillis = pollMillis;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.in, System.out, System.err, Terminal.system()));
    }

    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Terminal terminal) {
        return commandLine(new Cli(env, in, out, err, terminal, 500)).execute(args);
    }

    static CommandLine commandLine(Cli cli) {
        CommandLine line = new CommandLine(cli);
        Commands.register(line, cli);
        line.setOut(new PrintWriter(cli.out, true));
        line.setErr(new PrintWriter(cli.err, true));
        line.setExecutionExceptionHandler((e, failed, parsed) -> {
            if (e instanceof ApiException api) {
                cli.err.println("Error: " + api.getMessage());
            } else if (e instanceof IOException || e instanceof UncheckedIOException) {
                cli.err.println("Error: " + e.getMessage());
            } else {
                cli.err.println("Error: " + e);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return line;
    }

    /** Without a command: the list of commands, and a usage exit. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command");
    }

    /** What every command shares: the API, the app and environment options, the output. */
    abstract static class Base implements Callable<Integer> {
        final Cli cli;
        @Spec
        CommandSpec spec;

        Base(Cli cli) {
            this.cli = cli;
        }

        Api api() throws IOException {
            Credentials credentials = Credentials.load(cli.env);
            if (credentials.token() == null) {
                throw new ApiException(401, "Not logged in: run `cloudplane login`, or set CLOUDPLANE_API_KEY.");
            }
            return new Api(credentials.apiUrl(), credentials.token());
        }

        ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }

        void printJson(JsonNode node) throws IOException {
            cli.out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        }

        /**
         * A read command's answer: the whole of it as JSON with {@code --json}, else a table of {@code items}, a
         * line of {@code header} then each item's {@code fields} (as {@link Commands#row}).
         */
        int printList(JsonNode answer, JsonOption output, Iterable<JsonNode> items, String[] header, String... fields) throws IOException {
            if (output.json) {
                printJson(answer);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(header);
            for (JsonNode item : items) {
                rows.add(Commands.row(item, fields));
            }
            cli.out.print(Commands.table(rows));
            return 0;
        }

        /** Every app the caller sees: the sandbox, their applications, the shared ones. */
        static List<JsonNode> apps(JsonNode list) {
            List<JsonNode> all = new ArrayList<>();
            if (list.hasNonNull("sandbox")) {
                all.add(list.get("sandbox"));
            }
            list.path("applications").forEach(all::add);
            list.path("shared").forEach(all::add);
            return all;
        }

        JsonNode app(Api api, String nameOrId) {
            if (nameOrId == null || nameOrId.isBlank()) {
                throw usage("Missing -a/--app (an app's name or ID)");
            }
            for (JsonNode app : apps(api.get("/apps"))) {
                if (app.path("id").asText().equals(nameOrId) || app.path("name").asText().equals(nameOrId)) {
                    return app;
                }
            }
            throw new ApiException(404, "No app " + nameOrId + " (see `cloudplane apps`)");
        }

        /** The environment named (or with that ID); without -e, the app's only one. */
        JsonNode environment(Api api, JsonNode app, String nameOrId) {
            JsonNode items = api.get("/apps/" + app.path("id").asText() + "/environments").path("items");
            List<String> names = new ArrayList<>();
            for (JsonNode env : items) {
                if (nameOrId != null && (env.path("id").asText().equals(nameOrId) || env.path("name").asText().equals(nameOrId))) {
                    return env;
                }
                names.add(env.path("name").asText());
            }
            if (nameOrId == null) {
                if (items.size() == 1) {
                    return items.get(0);
                }
                throw usage("Missing -e/--env: " + app.path("name").asText() + " has " + String.join(", ", names));
            }
            throw new ApiException(404, "No environment " + nameOrId + " in " + app.path("name").asText() + " (it has "
                    + String.join(", ", names) + ")");
        }

        /**
         * A destructive command goes ahead only with {@code --confirm APP} (its name or ID), or the app's name typed at
         * the terminal; without a terminal a missing {@code --confirm} is a usage error.
         */
        void confirm(JsonNode app, String given, String what) {
            String name = app.path("name").asText();
            String id = app.path("id").asText();
            if (given != null) {
                if (!given.equals(name) && !given.equals(id)) {
                    throw usage("--confirm " + given + " does not match the app " + name);
                }
                return;
            }
            if (!cli.terminal.interactive()) {
                throw usage(what + " cannot be undone: add --confirm " + name);
            }
            cli.err.println(what + " cannot be undone.");
            String typed = cli.terminal.readLine("Type the app's name (" + name + ") to confirm: ");
            if (typed == null || !typed.strip().equals(name)) {
                throw usage("Confirmation did not match " + name);
            }
        }

        Progress progress() {
            return new Progress(cli.err, cli.terminal.interactive(), cli.pollMillis);
        }

        /**
         * The end of a command that started an operation: its ID at once with {@code --wait=false}, else its steps
         * followed on stderr, its outcome, and 1 when it did not succeed.
         */
        int follow(Api api, String operationId, boolean waitForIt, boolean json, String done) throws IOException {
            return follow(api, operationId, waitForIt, json, done, "SUCCEEDED");
        }

        /** As {@link #follow(Api, String, boolean, boolean, String)}, where the end hoped for is {@code hoped} (a cancel's is CANCELLED). */
        int follow(Api api, String operationId, boolean waitForIt, boolean json, String done, String hoped) throws IOException {
            if (!waitForIt) {
                if (json) {
                    printJson(Api.JSON.createObjectNode().put("operationId", operationId));
                } else {
                    cli.out.println(operationId);
                }
                return 0;
            }
            JsonNode op = progress().operation(api, operationId);
            boolean ok = hoped.equals(op.path("status").asText());
            cli.err.println((ok ? "Done: " : "Failed: ") + Progress.outcome(op));
            if (json) {
                printJson(op);
            } else if (ok && done != null) {
                cli.out.println(done);
            }
            return ok ? 0 : 1;
        }
    }

    /** Options of commands that work on an app. */
    static class AppOption {
        @Option(names = {"-a", "--app"}, paramLabel = "APP", description = "the app's name or ID")
        String app;
    }

    /** Options of commands that work on an environment. */
    static class EnvOption extends AppOption {
        @Option(names = {"-e", "--env"}, paramLabel = "ENV", description = "the environment's name or ID (default: the app's only one)")
        String env;
    }

    static class JsonOption {
        @Option(names = "--json", description = "print only JSON on stdout")
        boolean json;
    }

    static class WaitOption extends JsonOption {
        @Option(names = "--wait", arity = "0..1", defaultValue = "true", fallbackValue = "true", paramLabel = "true|false",
                description = "follow the operation to its end (default); --wait=false prints its ID at once")
        boolean waitForIt = true;
    }

    static String readLine(InputStream in) throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        return line == null ? "" : line;
    }

    static ObjectNode object() {
        return Api.JSON.createObjectNode();
    }
}
