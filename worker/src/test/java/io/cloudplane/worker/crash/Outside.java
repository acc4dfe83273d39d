package io.cloudplane.worker.crash;

import io.cloudplane.worker.AllInOne;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the crash harness sees of an all-in-one from outside it: Cloudplane's tables and the
 * PostgreSQL catalogs (as the embedded server's superuser), the environment server processes whose
 * working folder is in the data directory (/proc), the folders, the objects the embedded s3proxy
 * keeps as files under {@code objects/<bucket>/<key>}, and the outbox's emails. {@link #violations}
 * compares them with what Cloudplane's own tables say should exist.
 */
final class Outside {
    private static final Pattern MARKER = Pattern.compile("-Dcloudplane\\.env=([0-9a-f-]{36})");
    /** Statuses an environment is only in while an operation works on it. */
    static final Set<String> IN_TRANSITION = Set.of("PROVISIONING", "UPDATING", "DEPLOYING", "RESTORING", "DELETING");
    private final AllInOne cloudplane;
    private final Path dataDir;

    Outside(AllInOne cloudplane) {
        this.cloudplane = cloudplane;
        this.dataDir = cloudplane.dataDir();
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cloudplane.postgresPort() + "/" + database, "postgres", cloudplane.postgresPassword());
    }

    List<Map<String, Object>> rows(String sql, Object... params) throws SQLException {
        try (Connection c = connect("postgres"); var s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    Set<String> strings(String sql, Object... params) throws SQLException {
        Set<String> out = new TreeSet<>();
        for (Map<String, Object> row : rows(sql, params)) {
            out.add(String.valueOf(row.values().iterator().next()));
        }
        return out;
    }

    long count(String sql, Object... params) throws SQLException {
        return ((Number) rows(sql, params).get(0).values().iterator().next()).longValue();
    }

    /** Environment server processes (by their marker) that run in this data directory's folders: envId -> pids. */
    Map<String, List<Long>> serverProcesses() {
        Map<String, List<Long>> found = new HashMap<>();
        Path environments = dataDir.resolve("environments").toAbsolutePath().normalize();
        ProcessHandle.allProcesses().forEach(p -> {
            Optional<String> line = p.info().commandLine();
            if (line.isEmpty()) {
                return;
            }
            Matcher m = MARKER.matcher(line.get());
            if (!m.find()) {
                return;
            }
            try {
                Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
                if (cwd.startsWith(environments)) {
                    found.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(p.pid());
                }
            } catch (IOException | UnsupportedOperationException e) {
                // ended meanwhile
            }
        });
        return found;
    }

    /**
     * After the test: ends what a killed all-in-one may have left of this data directory (a round that
     * fails between the kill and the restart leaves its servers and its postmaster), so that no process outlives the test.
     */
    void endLeftovers() throws Exception {
        serverProcesses().values().forEach(pids -> pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy)));
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            Optional<ProcessHandle> postmaster = ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(dataDir.resolve("postgres").toString())).orElse(false));
            if (postmaster.isPresent()) {
                new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor(); // a fast shutdown
                postmaster.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /** The names of the folders under {@code environments/}. */
    Set<String> environmentFolders() throws IOException {
        Path environments = dataDir.resolve("environments");
        if (!Files.isDirectory(environments)) {
            return Set.of();
        }
        try (Stream<Path> list = Files.list(environments)) {
            return list.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /** The keys of the stored objects of the embedded store's bucket. */
    Set<String> objectKeys() throws IOException {
        Path bucket = dataDir.resolve("objects").resolve("cloudplane");
        if (!Files.isDirectory(bucket)) {
            return Set.of();
        }
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> walk = Files.walk(bucket)) {
                return walk.filter(Files::isRegularFile)
                        .map(p -> bucket.relativize(p).toString())
                        .filter(k -> !k.startsWith(".") && !k.contains("/.")) // s3proxy's own bookkeeping and in-flight writes
                        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                if (attempt == 5) {
                    throw e;
                }
                // a multipart upload's folder went while it was walked: look again
            }
        }
    }

    /** What the subject of an invitation's email holds ("<inviter> invites you to <app> on Cloudplane", InvitationMail). */
    static final String INVITATION_SUBJECT = " invites you to ";
    private static final Pattern INVITATION_LINK = Pattern.compile("/invitations/([A-Za-z0-9_-]{43})");

    /** The tokens of the accept links in the invitation emails to {@code to}, oldest first: one per email. */
    List<String> invitationTokens(String to) throws Exception {
        Path outbox = dataDir.resolve("outbox");
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(outbox)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".eml")).sorted().toList();
        }
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(new java.util.Properties());
        List<String> tokens = new ArrayList<>();
        for (Path file : files) {
            try (var in = Files.newInputStream(file)) {
                var message = new jakarta.mail.internet.MimeMessage(session, in);
                var recipients = message.getRecipients(jakarta.mail.Message.RecipientType.TO);
                if (recipients == null || !((jakarta.mail.internet.InternetAddress) recipients[0]).getAddress().equalsIgnoreCase(to)
                        || message.getSubject() == null || !message.getSubject().contains(INVITATION_SUBJECT)) {
                    continue;
                }
                Matcher link = INVITATION_LINK.matcher(text(message));
                tokens.add(link.find() ? link.group(1) : "(no accept link in " + file.getFileName() + ")");
            }
        }
        return tokens;
    }

    private static String text(jakarta.mail.Part part) throws Exception {
        if (part.isMimeType("text/plain")) {
            return (String) part.getContent();
        }
        if (part.getContent() instanceof jakarta.mail.Multipart multipart) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                out.append(text(multipart.getBodyPart(i)));
            }
            return out.toString();
        }
        return "";
    }

    /** Every email in the outbox as "to | subject". */
    List<String> emails() throws IOException {
        Path outbox = dataDir.resolve("outbox");
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(outbox)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".eml")).sorted().toList()) {
                String to = "";
                String subject = "";
                for (String l : Files.readAllLines(f)) {
                    if (l.startsWith("To: ")) {
                        to = l.substring(4);
                    } else if (l.startsWith("Subject: ")) {
                        subject = l.substring(9);
                    }
                    if (l.isEmpty()) {
                        break;
                    }
                }
                out.add(to + " | " + subject);
            }
        }
        return out;
    }

    /**
     * Everything that does not match Cloudplane's tables, once no operation is running: orphans
     * (databases, roles, processes, folders, objects), duplicated side effects (emails, backups per
     * slot, activity-log entries, release artifacts), a COMPLETED backup that was not verified, and
     * an environment RUNNING whose server does not answer. Empty when all is well.
     */
    List<String> violations() throws Exception {
        List<String> problems = new ArrayList<>();
        Map<String, String> envStatus = new HashMap<>();
        Map<String, String> envPreview = new HashMap<>();
        Map<String, String> envApp = new HashMap<>();
        for (Map<String, Object> env : rows("select id::text as id, app_id::text as app, status, preview_url from environments")) {
            envStatus.put((String) env.get("id"), (String) env.get("status"));
            envPreview.put((String) env.get("id"), (String) env.get("preview_url"));
            envApp.put((String) env.get("id"), (String) env.get("app"));
        }
        Set<String> busyEnvs = strings("select env_id::text from operations where status in ('PENDING','RUNNING') and env_id is not null");
        Set<String> busyApps = strings("select app_id::text from operations where status in ('PENDING','RUNNING')");
        boolean anyBusy = !busyApps.isEmpty()
                || count("select count(*) from backups where status not in ('COMPLETED','FAILED')") > 0;
        Set<String> expectedDbs = new TreeSet<>();
        envStatus.keySet().forEach(id -> expectedDbs.add("env_" + id.replace("-", "")));

        // Databases and roles: one per environment row, nothing else (no rst_/old_/scratch leftovers).
        Set<String> dbs = strings("select datname from pg_database where datname not in ('postgres','template0','template1')");
        for (String db : dbs) {
            // a restore's rst_/old_ databases and a verification's scratch database live while an operation runs
            if (!expectedDbs.contains(db) && !(db.startsWith("env_") ? busy(db, busyEnvs) : anyBusy)) {
                problems.add("orphan database " + db);
            }
        }
        Set<String> roles = strings("select rolname from pg_roles where rolname like 'env\\_%'");
        for (String role : roles) {
            if (!expectedDbs.contains(role) && !busy(role, busyEnvs)) {
                problems.add("orphan role " + role);
            }
        }
        for (Map.Entry<String, String> env : envStatus.entrySet()) {
            String db = "env_" + env.getKey().replace("-", "");
            if (!"PROVISIONING".equals(env.getValue()) && !"DELETING".equals(env.getValue()) && !"FAILED".equals(env.getValue())) {
                if (!dbs.contains(db)) {
                    problems.add("environment " + env.getKey() + " (" + env.getValue() + ") has no database");
                }
                if (!roles.contains(db)) {
                    problems.add("environment " + env.getKey() + " (" + env.getValue() + ") has no role");
                }
            }
        }

        // Processes: exactly one per RUNNING environment, none for any other (unless an operation is at work on it).
        Map<String, List<Long>> processes = serverProcesses();
        for (Map.Entry<String, List<Long>> p : processes.entrySet()) {
            String status = envStatus.get(p.getKey());
            if (busyEnvs.contains(p.getKey())) {
                continue;
            }
            if (status == null) {
                problems.add("server process " + p.getValue() + " of environment " + p.getKey() + ", which does not exist");
            } else if (!"RUNNING".equals(status)) {
                problems.add("server process " + p.getValue() + " of environment " + p.getKey() + ", which is " + status);
            } else if (p.getValue().size() != 1) {
                problems.add(p.getValue().size() + " server processes " + p.getValue() + " for RUNNING environment " + p.getKey());
            }
        }
        for (Map.Entry<String, String> env : envStatus.entrySet()) {
            if (!"RUNNING".equals(env.getValue()) || busyEnvs.contains(env.getKey())) {
                continue;
            }
            if (!processes.containsKey(env.getKey())) {
                problems.add("RUNNING environment " + env.getKey() + " has no server process");
            }
            String preview = envPreview.get(env.getKey());
            if (preview == null || cloudplane.get(preview + "_health") != 200) {
                problems.add("RUNNING environment " + env.getKey() + " does not answer at " + preview + "_health");
            }
        }
        // The fourth defect: an environment left in the middle of an action with no operation at work on it.
        for (Map.Entry<String, String> env : envStatus.entrySet()) {
            if (IN_TRANSITION.contains(env.getValue()) && !busyEnvs.contains(env.getKey())
                    && !busyApps.contains(envApp.get(env.getKey()))) {
                problems.add("environment " + env.getKey() + " is " + env.getValue() + " with no unfinished operation");
            }
        }

        // Folders: one per environment row.
        for (String folder : environmentFolders()) {
            if (!envStatus.containsKey(folder) && !busyEnvs.contains(folder)) {
                problems.add("orphan folder environments/" + folder);
            }
        }
        for (Map.Entry<String, String> env : envStatus.entrySet()) {
            if (!"PROVISIONING".equals(env.getValue()) && !"FAILED".equals(env.getValue()) && !"DELETING".equals(env.getValue())
                    && !Files.isDirectory(dataDir.resolve("environments").resolve(env.getKey()))) {
                problems.add("environment " + env.getKey() + " (" + env.getValue() + ") has no folder");
            }
        }

        // Objects: each one belongs to a row that says it should exist.
        Set<String> keys = objectKeys();
        Map<String, String> backupStatus = new HashMap<>();
        for (Map<String, Object> b : rows("select object_prefix, status from backups")) {
            backupStatus.put(trimSlash((String) b.get("object_prefix")), (String) b.get("status"));
        }
        Set<String> codeKeys = strings("select object_key from environment_code");
        Map<String, String> releaseStatus = new HashMap<>();
        for (Map<String, Object> r : rows("select object_key, status from releases")) {
            releaseStatus.put((String) r.get("object_key"), (String) r.get("status"));
        }
        for (String key : keys) {
            if (key.startsWith("backups/")) {
                String prefix = key.substring(0, key.lastIndexOf('/'));
                String status = backupStatus.get(prefix);
                if (status == null) {
                    problems.add("orphan backup object " + key);
                } else if ("FAILED".equals(status)) {
                    problems.add("object " + key + " of a FAILED backup");
                }
            } else if (key.startsWith("code/")) {
                String env = key.split("/")[2];
                if (!codeKeys.contains(key) && !busyEnvs.contains(env)) {
                    problems.add("orphan code object " + key);
                }
            } else if (key.startsWith("releases/")) {
                String status = releaseStatus.get(key);
                if (status == null || "FAILED".equals(status) && !busyApps.contains(key.split("/")[1])) {
                    problems.add("release object " + key + " of " + (status == null ? "no release" : "a FAILED release"));
                }
            } else {
                problems.add("object " + key + " of no known kind");
            }
        }
        for (String prefix : backupStatus.keySet()) {
            if ("COMPLETED".equals(backupStatus.get(prefix))) {
                for (String part : List.of("database.dump", "files.tar", "manifest.json")) {
                    if (!keys.contains(prefix + "/" + part)) {
                        problems.add("COMPLETED backup " + prefix + " has no " + part);
                    }
                }
            }
        }

        // A backup is never COMPLETED unless it was verified.
        for (Map<String, Object> b : rows("select id::text as id, verification from backups where status = 'COMPLETED'")) {
            if (!"PASSED".equals(b.get("verification"))) {
                problems.add("backup " + b.get("id") + " is COMPLETED with verification " + b.get("verification"));
            }
        }
        // One backup per schedule slot.
        for (Map<String, Object> d : rows("select env_id::text as env, scheduled_for, count(*) as n from backups "
                + "where scheduled_for is not null group by env_id, scheduled_for having count(*) > 1")) {
            problems.add(d.get("n") + " backups for the slot " + d.get("scheduled_for") + " of environment " + d.get("env"));
        }
        // One activity-log entry per operation, and one for every finished operation on an environment that still exists.
        for (Map<String, Object> d : rows("select operation_id::text as op, count(*) as n from activity_log "
                + "where operation_id is not null group by operation_id having count(*) > 1")) {
            problems.add(d.get("n") + " activity-log entries for operation " + d.get("op"));
        }
        for (Map<String, Object> d : rows("select o.id::text as op, o.type from operations o join environments e on e.id = o.env_id "
                + "where o.status in ('SUCCEEDED','FAILED') and o.type not in ('CREATE_RELEASE') "
                + "and not exists (select 1 from activity_log a where a.operation_id = o.id)")) {
            problems.add("finished operation " + d.get("op") + " (" + d.get("type") + ") has no activity-log entry");
        }
        // One release artifact per release: its own key, nothing beside it.
        for (Map<String, Object> r : rows("select id::text as id, app_id::text as app, object_key from releases where status = 'READY'")) {
            if (!keys.contains((String) r.get("object_key"))) {
                problems.add("READY release " + r.get("id") + " has no artifact " + r.get("object_key"));
            }
        }
        // One email per event: the lifecycle keys each email by its event (a sleep's by its operation, a notice by its
        // time) in sent_mail, so the outbox holds, of each kind, as many emails as keys of that kind. The same recipient
        // and subject twice is no repeat by itself: a woken sandbox left idle falls asleep again, a second event.
        List<String> emails = emails();
        // The invitation's email is keyed invitation/<id>/<expiry>: one per invitation and expiry (a resend is a new key).
        Map<String, String> kinds = Map.of("ASLEEP", "\" is asleep", "AWAKE", "\" is awake", "DELETION_NOTICE", "\" will be deleted on ",
                "DELETED", "\" was deleted", "INVITATION", INVITATION_SUBJECT);
        kinds.forEach((kind, subject) -> {
            long outbox = emails.stream().filter(e -> e.contains(subject)).count();
            long events;
            try {
                events = count("select count(*) from sent_mail where mail_key like ?", kind.equals("INVITATION") ? "invitation/%" : "%/" + kind + "/%");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            if (outbox != events) {
                problems.add(outbox + " " + kind + " emails in the outbox for " + events + " events (sent_mail keys): "
                        + emails.stream().filter(e -> e.contains(subject)).sorted().toList());
            }
        });
        long recorded = count("select count(*) from sent_mail");
        if (recorded != emails.size()) {
            problems.add(emails.size() + " emails in the outbox for " + recorded + " sent_mail records");
        }
        return problems;
    }

    private static boolean busy(String dbOrRole, Set<String> busyEnvs) {
        return busyEnvs.stream().anyMatch(env -> dbOrRole.contains(env.replace("-", "")));
    }

    private static String trimSlash(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /** A site of one page showing {@code marker}, as the canonical tar.gz that code uploads take. */
    static byte[] site(String marker) throws java.io.IOException {
        return io.cloudplane.worker.Sites.onePage("<h1>" + marker + "</h1>");
    }
}
