package io.cloudplane.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The commands, one class each, registered under their Heroku-style {@code topic:command} names. */
final class Commands {
    private Commands() {
    }

    static void register(CommandLine line, Cli cli) {
        line.addSubcommand("login", new Login(cli));
        line.addSubcommand("logout", new Logout(cli));
        line.addSubcommand("apps", new Apps(cli));
        line.addSubcommand("apps:create", new AppsCreate(cli));
        line.addSubcommand("apps:clone", new AppsClone(cli));
        line.addSubcommand("apps:destroy", new AppsDestroy(cli));
        line.addSubcommand("envs", new Envs(cli));
        line.addSubcommand("envs:create", new EnvsCreate(cli));
        line.addSubcommand("envs:restart", new EnvsAction(cli, "restart"));
        line.addSubcommand("envs:stop", new EnvsAction(cli, "stop"));
        line.addSubcommand("envs:start", new EnvsAction(cli, "start"));
        line.addSubcommand("code:push", new CodePush(cli));
        line.addSubcommand("releases", new Releases(cli));
        line.addSubcommand("releases:create", new ReleasesCreate(cli));
        line.addSubcommand("deploy", new Deploy(cli));
        line.addSubcommand("promote", new Promote(cli));
        line.addSubcommand("promotions:approve", new PromotionsApprove(cli));
        line.addSubcommand("backups", new Backups(cli));
        line.addSubcommand("backups:capture", new BackupsCapture(cli));
        line.addSubcommand("backups:restore", new BackupsRestore(cli));
        line.addSubcommand("logs", new Logs(cli));
        line.addSubcommand("members", new Members(cli));
        line.addSubcommand("members:invite", new MembersInvite(cli));
        line.addSubcommand("domains", new Domains(cli));
        line.addSubcommand("domains:add", new DomainsAdd(cli));
        line.addSubcommand("sftp", new Sftp(cli));
        line.addSubcommand("operations:cancel", new OperationsCancel(cli));
    }

    /** Aligned columns, for people; --json is for programs. */
    static String table(List<String[]> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i] == null ? 0 : row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String cell = row[i] == null ? "" : row[i];
                line.append(i == row.length - 1 ? cell : String.format("%-" + (widths[i] + 2) + "s", cell));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    static String[] row(JsonNode node, String... fields) {
        return Arrays.stream(fields).map(f -> node.path(f).isMissingNode() || node.path(f).isNull() ? "" : node.path(f).asText())
                .toArray(String[]::new);
    }

    static String path(JsonNode app) {
        return "/apps/" + app.path("id").asText();
    }

    static String path(JsonNode app, JsonNode env) {
        return path(app) + "/environments/" + env.path("id").asText();
    }

    @Command(description = "Log in with your email and password; the token is kept in ~/.config/cloudplane/credentials (0600).")
    static final class Login extends Cli.Base {
        @Option(names = "--email", description = "your email (asked on a terminal)")
        String email;
        @Option(names = "--password-stdin", description = "read the password from stdin's first line")
        boolean passwordStdin;
        @Option(names = "--api-url", description = "the API's base URL (default: CLOUDPLANE_API_URL, the stored one, or "
                + Credentials.DEFAULT_URL + ")")
        String apiUrl;

        Login(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            String url = apiUrl != null ? apiUrl.replaceAll("/+$", "") : Credentials.load(cli.env).apiUrl();
            if (email == null) {
                if (!cli.terminal.interactive()) {
                    throw usage("Without a terminal, give --email and --password-stdin");
                }
                email = cli.terminal.readLine("Email: ");
            }
            String password;
            if (passwordStdin) {
                password = Cli.readLine(cli.in);
            } else if (cli.terminal.interactive()) {
                char[] typed = cli.terminal.readPassword("Password: ");
                password = typed == null ? "" : new String(typed);
            } else {
                throw usage("Without a terminal, give the password on stdin with --password-stdin");
            }
            JsonNode session = new Api(url, null).post("/sessions", Cli.object().put("email", email.strip()).put("password", password));
            new Credentials(url, session.path("accessToken").asText(), email.strip()).save(cli.env);
            cli.err.println("Logged in as " + email.strip() + " at " + url);
            return 0;
        }
    }

    @Command(description = "Forget the stored token.")
    static final class Logout extends Cli.Base {
        Logout(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            cli.err.println(Credentials.delete(cli.env) ? "Logged out" : "Not logged in");
            return 0;
        }
    }

    @Command(description = "Your apps: the sandbox, your applications, the shared ones.")
    static final class Apps extends Cli.Base {
        @Mixin
        Cli.JsonOption output;

        Apps(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            JsonNode list = api().get("/apps");
            return printList(list, output, apps(list), new String[]{"NAME", "CATEGORY", "ROLE", "STATUS", "CREATED", "ID"},
                    "name", "category", "role", "status", "createdAt", "id");
        }
    }

    @Command(description = "Create an app (and its development environment).")
    static final class AppsCreate extends Cli.Base {
        @Parameters(paramLabel = "NAME")
        String name;
        @Mixin
        Cli.WaitOption options;

        AppsCreate(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = api.post("/apps", Cli.object().put("name", name));
            cli.err.println("Creating " + name + " (" + app.path("id").asText() + ")");
            return follow(api, app.path("operation").path("id").asText(), options.waitForIt, options.json,
                    "Created " + name + " " + app.path("id").asText());
        }
    }

    @Command(description = "Clone an app (its environments and code, or a release's) under a new name.")
    static final class AppsClone extends Cli.Base {
        @Mixin
        Cli.AppOption target;
        @Option(names = "--name", description = "the new app's name (default: the API's)")
        String name;
        @Option(names = "--release", description = "clone this release (name or ID) instead of the current code")
        String release;
        @Mixin
        Cli.WaitOption options;

        AppsClone(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            var body = Cli.object();
            if (name != null) {
                body.put("name", name);
            }
            if (release != null) {
                body.put("releaseId", Releases.find(api, app, release).path("id").asText());
            }
            JsonNode clone = api.post(path(app) + "/clone", body);
            cli.err.println("Cloning " + app.path("name").asText() + " into " + clone.path("name").asText() + " (" + clone.path("id").asText() + ")");
            return follow(api, clone.path("operation").path("id").asText(), options.waitForIt, options.json,
                    "Created " + clone.path("name").asText() + " " + clone.path("id").asText());
        }
    }

    @Command(description = "Delete an app and all its environments (needs --confirm APP).")
    static final class AppsDestroy extends Cli.Base {
        @Mixin
        Cli.AppOption target;
        @Option(names = "--confirm", paramLabel = "APP", description = "the app's name, to confirm")
        String confirm;
        @Mixin
        Cli.WaitOption options;

        AppsDestroy(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            confirm(app, confirm, "Destroying " + app.path("name").asText());
            JsonNode op = api.delete(path(app));
            return follow(api, op.path("id").asText(), options.waitForIt, options.json, "Destroyed " + app.path("name").asText());
        }
    }

    @Command(description = "An app's environments.")
    static final class Envs extends Cli.Base {
        @Mixin
        Cli.AppOption target;
        @Mixin
        Cli.JsonOption output;

        Envs(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode list = api.get(path(app(api, target.app)) + "/environments");
            if (output.json) {
                printJson(list);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"NAME", "TYPE", "STATUS", "VERSION", "URL", "ID"});
            for (JsonNode env : list.path("items")) {
                String[] r = row(env, "name", "type", "status", "serverVersion", "id");
                rows.add(new String[]{r[0], r[1], r[2], r[3], env.path("urls").path("preview").asText(""), r[4]});
            }
            cli.out.print(table(rows));
            return 0;
        }
    }

    @Command(description = "Create an environment.")
    static final class EnvsCreate extends Cli.Base {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--type", required = true, description = "development, staging, production or custom")
        String type;
        @Option(names = "--description")
        String description;
        @Mixin
        Cli.AppOption target;
        @Mixin
        Cli.WaitOption options;

        EnvsCreate(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            var body = Cli.object().put("name", name).put("type", type);
            if (description != null) {
                body.put("description", description);
            }
            JsonNode env = api.post(path(app) + "/environments", body);
            cli.err.println("Creating " + name + " in " + app.path("name").asText() + " (" + env.path("id").asText() + ")");
            return follow(api, env.path("operation").path("id").asText(), options.waitForIt, options.json,
                    "Created " + name + " " + env.path("id").asText());
        }
    }

    @Command(description = "Stop, start or restart an environment's server.")
    static final class EnvsAction extends Cli.Base {
        private final String action;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.WaitOption options;

        EnvsAction(Cli cli, String action) {
            super(cli);
            this.action = action;
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            JsonNode op = api.post(path(app, env) + "/" + action, null);
            return follow(api, op.path("id").asText(), options.waitForIt, options.json,
                    env.path("name").asText() + ": " + action + " done");
        }
    }

    @Command(description = "Pack DIR as tar.gz and upload it as a development environment's code.")
    static final class CodePush extends Cli.Base {
        @Parameters(paramLabel = "DIR")
        Path dir;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.JsonOption output;

        CodePush(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isDirectory(dir)) {
                throw usage(dir + " is not a directory");
            }
            // The platform's own canonical archive: the same tree always gives the same bytes, so the sha256 the API
            // answers can be compared with a local one.
            var bytes = new java.io.ByteArrayOutputStream();
            io.cloudplane.infra.code.CodeArchives.writeTarGz(dir, bytes);
            byte[] archive = bytes.toByteArray();
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            JsonNode code = api.put(path(app, env) + "/code", archive, "application/gzip");
            if (output.json) {
                printJson(code);
            } else {
                cli.out.println("Pushed " + archive.length + " bytes to " + env.path("name").asText() + ": sha256 " + code.path("sha256").asText());
            }
            return 0;
        }
    }

    @Command(description = "An app's releases, newest first.")
    static final class Releases extends Cli.Base {
        @Mixin
        Cli.AppOption target;
        @Mixin
        Cli.JsonOption output;

        Releases(Cli cli) {
            super(cli);
        }

        /** A release by ID or name, in the app's newest 200. */
        static JsonNode find(Api api, JsonNode app, String nameOrId) {
            for (JsonNode release : api.get(path(app) + "/releases?limit=200").path("items")) {
                if (release.path("id").asText().equals(nameOrId) || release.path("name").asText().equals(nameOrId)) {
                    return release;
                }
            }
            throw new ApiException(404, "No release " + nameOrId + " in " + app.path("name").asText());
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode page = api.get(path(app(api, target.app)) + "/releases");
            return printList(page, output, page.path("items"), new String[]{"NAME", "STATUS", "CREATED", "DESCRIPTION", "ID"},
                    "name", "status", "createdAt", "description", "id");
        }
    }

    @Command(description = "Cut a release from a development or staging environment's code.")
    static final class ReleasesCreate extends Cli.Base {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--description")
        String description;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.WaitOption options;

        ReleasesCreate(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            var body = Cli.object().put("name", name).put("sourceEnvironmentId", env.path("id").asText());
            if (description != null) {
                body.put("description", description);
            }
            JsonNode release = api.post(path(app) + "/releases", body);
            cli.err.println("Releasing " + name + " from " + env.path("name").asText() + " (" + release.path("id").asText() + ")");
            return follow(api, release.path("operation").path("id").asText(), options.waitForIt, options.json,
                    "Released " + name + " " + release.path("id").asText());
        }
    }

    @Command(description = "Deploy a release (name or ID) to an environment.")
    static final class Deploy extends Cli.Base {
        @Parameters(paramLabel = "RELEASE")
        String release;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.WaitOption options;

        Deploy(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            JsonNode found = Releases.find(api, app, release);
            JsonNode deployment = api.post(path(app, env) + "/deployments", Cli.object().put("releaseId", found.path("id").asText()));
            cli.err.println("Deploying " + found.path("name").asText() + " to " + env.path("name").asText());
            return follow(api, deployment.path("operation").path("id").asText(), options.waitForIt, options.json,
                    "Deployed " + found.path("name").asText() + " to " + env.path("name").asText());
        }
    }

    /** Follows a promotion until it waits for the owner, or ends. */
    abstract static class PromotionCommand extends Cli.Base {
        PromotionCommand(Cli cli) {
            super(cli);
        }

        int followPromotion(Api api, JsonNode app, JsonNode promotion, Cli.WaitOption options, boolean approvalEnds) throws Exception {
            String id = promotion.path("id").asText();
            if (!options.waitForIt) {
                if (options.json) {
                    printJson(promotion);
                } else {
                    cli.out.println(id);
                }
                return 0;
            }
            JsonNode last = progress().follow(() -> api.get(path(app) + "/promotions/" + id),
                    p -> "promotion: " + p.path("status").asText() + " (stage " + p.path("stage").asText() + ")",
                    p -> (approvalEnds && "AWAITING_APPROVAL".equals(p.path("status").asText()))
                            || List.of("SUCCEEDED", "FAILED", "REJECTED", "EXPIRED", "CANCELLED").contains(p.path("status").asText()));
            String status = last.path("status").asText();
            boolean ok = "SUCCEEDED".equals(status) || "AWAITING_APPROVAL".equals(status);
            cli.err.println((ok ? "Done: promotion " : "Failed: promotion ") + id + " " + status
                    + (last.hasNonNull("error") ? ": " + last.get("error").asText() : "")
                    + ("AWAITING_APPROVAL".equals(status) ? " (approve with `cloudplane promotions:approve -a " + app.path("name").asText() + "`)" : ""));
            if (options.json) {
                printJson(last);
            } else {
                cli.out.println(id + " " + status);
            }
            return ok ? 0 : 1;
        }
    }

    @Command(description = "Promote a release (name or ID): staging, then the owner's approval, then production.")
    static final class Promote extends PromotionCommand {
        @Parameters(paramLabel = "RELEASE")
        String release;
        @Mixin
        Cli.AppOption target;
        @Mixin
        Cli.WaitOption options;

        Promote(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode found = Releases.find(api, app, release);
            JsonNode promotion = api.post(path(app) + "/promotions", Cli.object().put("releaseId", found.path("id").asText()));
            cli.err.println("Promoting " + found.path("name").asText() + " (promotion " + promotion.path("id").asText() + ")");
            return followPromotion(api, app, promotion, options, true);
        }
    }

    @Command(description = "Approve the promotion that waits for you (or the one given), then follow production's deployment.")
    static final class PromotionsApprove extends PromotionCommand {
        @Parameters(paramLabel = "PROMOTION", arity = "0..1", description = "the promotion's ID (default: the one awaiting approval)")
        String promotionId;
        @Option(names = "--comment")
        String comment;
        @Mixin
        Cli.AppOption target;
        @Mixin
        Cli.WaitOption options;

        PromotionsApprove(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            String id = promotionId;
            if (id == null) {
                for (JsonNode p : api.get(path(app) + "/promotions").path("items")) {
                    if ("AWAITING_APPROVAL".equals(p.path("status").asText())) {
                        id = p.path("id").asText();
                        break;
                    }
                }
                if (id == null) {
                    throw new ApiException(409, "No promotion of " + app.path("name").asText() + " awaits approval");
                }
            }
            var body = Cli.object();
            if (comment != null) {
                body.put("comment", comment);
            }
            JsonNode promotion = api.post(path(app) + "/promotions/" + id + "/approve", body);
            cli.err.println("Approved promotion " + id);
            return followPromotion(api, app, promotion, options, false);
        }
    }

    @Command(description = "An environment's backups, newest first.")
    static final class Backups extends Cli.Base {
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.JsonOption output;

        Backups(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode page = api.get(path(app, environment(api, app, target.env)) + "/backups");
            return printList(page, output, page.path("items"), new String[]{"ID", "TRIGGER", "STATUS", "VERIFICATION", "SIZE", "CREATED"},
                    "id", "trigger", "status", "verification", "sizeBytes", "createdAt");
        }
    }

    @Command(description = "Back up an environment now (dump, upload, verify).")
    static final class BackupsCapture extends Cli.Base {
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.WaitOption options;

        BackupsCapture(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            JsonNode backup = api.post(path(app, env) + "/backups", null);
            String id = backup.path("id").asText();
            cli.err.println("Backing up " + env.path("name").asText() + " (backup " + id + ")");
            if (!options.waitForIt) {
                if (options.json) {
                    printJson(backup);
                } else {
                    cli.out.println(id);
                }
                return 0;
            }
            JsonNode last = progress().follow(() -> api.get(path(app, env) + "/backups/" + id),
                    b -> "backup: " + b.path("status").asText(),
                    b -> List.of("COMPLETED", "FAILED").contains(b.path("status").asText()));
            boolean ok = "COMPLETED".equals(last.path("status").asText());
            cli.err.println(ok ? "Done: backup " + id + " COMPLETED, verification " + last.path("verification").asText()
                    : "Failed: backup " + id + (last.hasNonNull("failedStep") ? " at " + last.get("failedStep").asText() : "")
                    + ": " + last.path("error").asText());
            if (options.json) {
                printJson(last);
            } else {
                cli.out.println(id + " " + last.path("status").asText());
            }
            return ok ? 0 : 1;
        }
    }

    @Command(description = "Restore a backup into its environment (needs --confirm APP).")
    static final class BackupsRestore extends Cli.Base {
        @Parameters(paramLabel = "BACKUP")
        String backupId;
        @Option(names = "--confirm", paramLabel = "APP", description = "the app's name, to confirm")
        String confirm;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.WaitOption options;

        BackupsRestore(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            confirm(app, confirm, "Restoring " + env.path("name").asText() + " from backup " + backupId);
            JsonNode op = api.post(path(app, env) + "/restores", Cli.object().put("backupId", backupId));
            return follow(api, op.path("id").asText(), options.waitForIt, options.json,
                    "Restored " + env.path("name").asText() + " from " + backupId);
        }
    }

    @Command(description = "An environment's server log: the last lines, or following it with --tail.")
    static final class Logs extends Cli.Base {
        @Mixin
        Cli.EnvOption target;
        @Option(names = {"-n", "--num"}, defaultValue = "100", description = "how many lines (1 to 10000; default 100)")
        int lines;
        @Option(names = {"-t", "--tail"}, description = "keep following the log (Ctrl-C to stop)")
        boolean tail;

        Logs(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            String logs = path(app, environment(api, app, target.env)) + "/logs?tail=";
            List<String> shown = lines(api.text(logs + lines));
            shown.forEach(cli.out::println);
            cli.out.flush();
            while (tail) {
                try {
                    Thread.sleep(cli.pollMillis);
                } catch (InterruptedException e) {
                    return 0;
                }
                List<String> latest;
                try {
                    latest = lines(api.text(logs + 1000));
                } catch (ApiException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return 0;
                    }
                    throw e;
                }
                List<String> added = latest.subList(overlap(shown, latest), latest.size());
                added.forEach(cli.out::println);
                cli.out.flush();
                shown = latest;
            }
            return 0;
        }

        static List<String> lines(String text) {
            return text.lines().toList();
        }

        /** How many first lines of {@code latest} were already shown: the longest end of {@code shown} it begins with. */
        static int overlap(List<String> shown, List<String> latest) {
            for (int k = Math.min(shown.size(), latest.size()); k > 0; k--) {
                if (shown.subList(shown.size() - k, shown.size()).equals(latest.subList(0, k))) {
                    return k;
                }
            }
            return 0;
        }
    }

    @Command(description = "An environment's members and pending invitations.")
    static final class Members extends Cli.Base {
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.JsonOption output;

        Members(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode members = api.get(path(app, environment(api, app, target.env)) + "/members");
            if (output.json) {
                printJson(members);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"EMAIL", "NAME", "KIND", "PROFILE", "STATUS"});
            for (JsonNode m : members.path("members")) {
                rows.add(new String[]{m.path("email").asText(), m.path("firstName").asText() + " " + m.path("lastName").asText(),
                        m.path("kind").asText() + (m.path("owner").asBoolean() ? " (owner)" : ""), m.path("profile").asText(""), "member"});
            }
            for (JsonNode i : members.path("invitations")) {
                rows.add(new String[]{i.path("email").asText(), i.path("firstName").asText() + " " + i.path("lastName").asText(),
                        i.path("kind").asText().toLowerCase(), i.path("profile").asText(""), "invited until " + i.path("expiresAt").asText()});
            }
            cli.out.print(table(rows));
            return 0;
        }
    }

    @Command(description = "Invite a person to an environment with a profile.")
    static final class MembersInvite extends Cli.Base {
        @Parameters(paramLabel = "EMAIL")
        String email;
        @Option(names = "--first-name", required = true)
        String firstName;
        @Option(names = "--last-name", required = true)
        String lastName;
        @Option(names = "--profile", required = true, description = "one of the application's roles (`user` without roles.json)")
        String profile;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.JsonOption output;

        MembersInvite(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode env = environment(api, app, target.env);
            JsonNode invitation = api.post(path(app, env) + "/members", Cli.object().put("email", email).put("firstName", firstName)
                    .put("lastName", lastName).put("profile", profile));
            if (output.json) {
                printJson(invitation);
            } else {
                cli.out.println("Invited " + email + " to " + env.path("name").asText() + " as " + invitation.path("profile").asText()
                        + " (" + invitation.path("kind").asText().toLowerCase() + "), until " + invitation.path("expiresAt").asText());
            }
            return 0;
        }
    }

    @Command(description = "An environment's custom domains.")
    static final class Domains extends Cli.Base {
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.JsonOption output;

        Domains(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode list = api.get(path(app, environment(api, app, target.env)) + "/domains");
            return printList(list, output, list.path("items"), new String[]{"HOSTNAME", "STATUS", "ID"}, "hostname", "status", "id");
        }
    }

    @Command(description = "Add a custom domain; prints the DNS records to create.")
    static final class DomainsAdd extends Cli.Base {
        @Parameters(paramLabel = "HOST")
        String hostname;
        @Mixin
        Cli.EnvOption target;
        @Mixin
        Cli.JsonOption output;

        DomainsAdd(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            JsonNode domain = api.post(path(app, environment(api, app, target.env)) + "/domains", Cli.object().put("hostname", hostname));
            if (output.json) {
                printJson(domain);
                return 0;
            }
            cli.out.println("Added " + domain.path("hostname").asText() + " (" + domain.path("status").asText() + "). Create these DNS records:");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"TYPE", "NAME", "VALUE"});
            for (JsonNode r : domain.path("records")) {
                rows.add(row(r, "type", "name", "value"));
            }
            cli.out.print(table(rows));
            return 0;
        }
    }

    @Command(description = "How to reach an environment's files over SFTP; --password makes a short-lived password.")
    static final class Sftp extends Cli.Base {
        @Mixin
        Cli.EnvOption target;
        @Option(names = "--password", description = "create a short-lived SFTP password (shown once)")
        boolean password;
        @Mixin
        Cli.JsonOption output;

        Sftp(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode app = app(api, target.app);
            String env = path(app, environment(api, app, target.env));
            JsonNode access = api.get(env + "/sftp");
            JsonNode created = password ? api.post(env + "/sftp/passwords", null) : null;
            if (output.json) {
                if (created != null) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) access).set("password", created);
                }
                printJson(access);
                return 0;
            }
            cli.out.println("host:        " + access.path("host").asText());
            cli.out.println("port:        " + access.path("port").asText());
            cli.out.println("user name:   " + access.path("userName").asText());
            cli.out.println("fingerprint: " + access.path("hostKeyFingerprint").asText() + " (" + access.path("hostKeyType").asText() + ")");
            if (created != null) {
                cli.out.println("password:    " + created.path("password").asText() + " (until " + created.path("expiresAt").asText() + ")");
            }
            cli.out.println("sftp -P " + access.path("port").asText() + " '" + access.path("userName").asText() + "@" + access.path("host").asText() + "'");
            return 0;
        }
    }

    @Command(description = "Cancel a running operation where stopping makes sense (a provisioning before its server); "
            + "the API says why when it does not.")
    static final class OperationsCancel extends Cli.Base {
        @Parameters(paramLabel = "ID", description = "the operation's ID")
        String id;
        @Mixin
        Cli.WaitOption options;

        OperationsCancel(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode op = api.post("/operations/" + id + "/cancel", null);
            cli.err.println("Cancelling " + op.path("type").asText("the operation") + " " + op.path("id").asText());
            return follow(api, op.path("id").asText(), options.waitForIt, options.json, "Cancelled " + op.path("id").asText(), "CANCELLED");
        }
    }
}
