package io.cloudplane.infra.code;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fetches a code artifact from a presigned URL and unpacks it into a code tree, in a process of
 * its own. Two modes: locally, a process the worker starts for a clone's code (the URL on standard
 * input, {@link #main}); on Kubernetes, the init container of each environment's pod (Cloudplane's
 * own image with the arguments {@code fetch-code <folder> <sha256> <limits...>} and the URL in the
 * environment variable {@value #URL_VARIABLE}, {@link #podMain}), which fills the code volume the
 * server mounts. None of the artifact's bytes pass through the worker process. The same checks apply
 * as to uploads (paths, links, counts, expanded size), and the SHA-256 of what was read must be the
 * expected one. Exit codes: 0 done, 3 digest mismatch, 4 refused archive (the local mode; in a pod, a
 * stored archive that does not read whole was truncated or altered, and is 1), 1 anything else.
 */
public final class CodeFetcher {
    static final int DIGEST_MISMATCH = 3;
    static final int REFUSED = 4;
    /** The first argument that makes Cloudplane's image run {@link #podMain} instead of the application. */
    public static final String POD_MODE = "fetch-code";
    /** Where the init container finds the presigned URL (from a Secret: never in the pod's spec or arguments). */
    public static final String URL_VARIABLE = "CLOUDPLANE_CODE_URL";
    /** The folder inside the target that a download is unpacked into before it is checked and moved in. */
    static final String INCOMING = ".cloudplane-incoming";

    private CodeFetcher() {
    }

    /**
     * In the fetcher's process: {@code <target dir> <sha256> <max archive bytes> <max entries> <max expanded bytes>},
     * and the presigned URL on standard input (not on the command line, where any local user could read it).
     */
    public static void main(String[] args) {
        if (args.length > 0 && POD_MODE.equals(args[0])) {
            podMain(args);
            return;
        }
        String url = "";
        try {
            url = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(300_000);
            if (connection.getResponseCode() != 200) {
                System.err.println("the storage answered " + connection.getResponseCode() + " for the artifact");
                System.exit(1);
            }
            CodeArchives.Limits limits = new CodeArchives.Limits(Long.parseLong(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
            String sha;
            try (InputStream in = new java.io.BufferedInputStream(connection.getInputStream(), 256 * 1024)) {
                sha = CodeArchives.extractTarGz(in, Path.of(args[0]), limits);
            }
            if (!sha.equals(args[1])) {
                System.err.println("the artifact has SHA-256 " + sha + ", not the recorded " + args[1]);
                System.exit(DIGEST_MISMATCH);
            }
            System.exit(0);
        } catch (CodeArchives.HostileArchiveException e) {
            System.err.println(e.getMessage());
            System.exit(REFUSED);
        } catch (Exception e) {
            // The worker puts this line in the operation's error: never the URL's signature (its query).
            System.err.println(url.isEmpty() ? e.toString() : withoutSignature(e.toString(), url));
            System.exit(1);
        }
    }

    /**
     * The init container: {@code fetch-code <folder> <sha256> <max archive bytes> <max entries> <max expanded bytes>},
     * the URL in {@value #URL_VARIABLE}. Prints one line and exits with the codes above; nothing half-unpacked stays.
     */
    public static void podMain(String[] args) {
        String url = System.getenv(URL_VARIABLE);
        int code;
        try {
            if (args.length != 6 || !POD_MODE.equals(args[0])) {
                throw new IllegalArgumentException("usage: " + POD_MODE + " <folder> <sha256> <max archive bytes> <max entries> <max expanded bytes>");
            }
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("no presigned URL in " + URL_VARIABLE);
            }
            CodeArchives.Limits limits = new CodeArchives.Limits(Long.parseLong(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]));
            long files = replace(URI.create(url.strip()), Path.of(args[1]), args[2], limits);
            System.out.println("code " + args[2] + " unpacked into " + args[1] + " (" + files + " entries at the top)");
            code = 0;
        } catch (EnvironmentCode.DigestMismatchException e) {
            System.err.println(e.getMessage());
            code = DIGEST_MISMATCH;
        } catch (Exception e) {
            System.err.println(withoutSignature(e.toString(), url == null ? "" : url.strip()));
            code = 1;
        }
        System.exit(code);
    }

    /**
     * Downloads {@code url}, unpacks it into a folder of its own inside {@code folder}, checks its SHA-256
     * against {@code sha256}, and only then replaces {@code folder}'s contents with it (each top-level
     * entry moved in by a rename). A failed download, a wrong digest or a refused archive deletes what was
     * unpacked and leaves {@code folder} as it was. {@code folder} may be a mount point (an emptyDir): it is
     * never renamed itself. A run after a restarted container finds the previous run's tree and replaces it.
     * Returns the number of top-level entries moved in.
     */
    static long replace(URI url, Path folder, String sha256, CodeArchives.Limits limits) throws IOException {
        java.nio.file.Files.createDirectories(folder);
        Path incoming = folder.resolve(INCOMING);
        deleteTree(incoming); // left by a run that was killed
        try {
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection) url.toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(300_000);
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("the storage answered " + status + " for the code artifact"
                        + (status == 403 ? " (an expired or wrong presigned URL: start, restart or deploy the environment again to renew it)" : ""));
            }
            String actual;
            try (InputStream in = new java.io.BufferedInputStream(connection.getInputStream(), 256 * 1024)) {
                actual = CodeArchives.extractTarGz(in, incoming, limits);
            } catch (CodeArchives.HostileArchiveException | java.io.EOFException e) {
                // Stored artifacts are canonical archives Cloudplane wrote: one that does not read whole was
                // cut short or altered on its way (or in the store), and is refused before its digest is known.
                throw new IOException("the code artifact (expected SHA-256 " + sha256 + ") is truncated or altered: " + e.getMessage(), e);
            }
            if (!actual.equals(sha256)) {
                throw new EnvironmentCode.DigestMismatchException("the code artifact has SHA-256 " + actual + ", not the expected " + sha256);
            }
            try (var old = java.nio.file.Files.list(folder)) {
                for (Path entry : old.filter(p -> !p.getFileName().toString().equals(INCOMING)).toList()) {
                    deleteTree(entry);
                }
            }
            long moved = 0;
            try (var fresh = java.nio.file.Files.list(incoming)) {
                for (Path entry : fresh.toList()) {
                    java.nio.file.Files.move(entry, folder.resolve(entry.getFileName().toString()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    moved++;
                }
            }
            return moved;
        } finally {
            deleteTree(incoming); // whatever happened, nothing half-unpacked stays
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (java.nio.file.Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var children = java.nio.file.Files.list(path)) {
                for (Path child : children.toList()) {
                    deleteTree(child);
                }
            }
        }
        java.nio.file.Files.delete(path);
    }

    /** Error lines go to logs and operations' errors: never the URL's signature (its query). */
    static String withoutSignature(String message, String url) {
        int query = url.indexOf('?');
        return query < 0 ? message : message.replace(url.substring(query), "?[signature withheld]");
    }

    /** In the worker: runs a fetcher process and waits for it, calling {@code progress} every second. */
    static void run(URI url, Path target, String sha256, CodeArchives.Limits limits, Runnable progress)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-Xshare:auto", "-cp", classpath(), CodeFetcher.class.getName(),
                target.toString(), sha256, Long.toString(limits.maxArchiveBytes()),
                Integer.toString(limits.maxEntries()), Long.toString(limits.maxExpandedBytes())));
        Path errors = java.nio.file.Files.createTempFile("code-fetcher-", ".err");
        String error;
        try {
            Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(errors.toFile()).start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(url.toString().getBytes(StandardCharsets.UTF_8));
            }
            try {
                while (!process.waitFor(1, TimeUnit.SECONDS)) {
                    progress.run();
                }
            } finally {
                process.destroyForcibly();
            }
            error = java.nio.file.Files.readString(errors, StandardCharsets.UTF_8).strip();
            exit(process.exitValue(), error);
        } finally {
            java.nio.file.Files.deleteIfExists(errors);
        }
    }

    private static void exit(int code, String error) throws IOException {
        switch (code) {
            case 0 -> {
            }
            case DIGEST_MISMATCH -> throw new EnvironmentCode.DigestMismatchException(error);
            case REFUSED -> throw new CodeArchives.HostileArchiveException(error);
            default -> throw new IOException("the code fetcher failed: " + error);
        }
    }

    static String classpath() {
        List<String> parts = new ArrayList<>();
        parts.add(location(CodeFetcher.class));
        parts.add(location(org.apache.commons.compress.archivers.tar.TarArchiveInputStream.class));
        for (String optional : List.of("org.apache.commons.io.IOUtils", "org.apache.commons.lang3.StringUtils")) {
            try {
                parts.add(location(Class.forName(optional)));
            } catch (ClassNotFoundException ignored) {
                // not needed by this version of commons-compress
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot locate the classes of " + type.getName(), e);
        }
    }
}
