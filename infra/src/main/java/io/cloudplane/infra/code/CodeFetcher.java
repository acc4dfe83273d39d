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
 * its own: the local runtime's counterpart of a pod's init container. The worker asks for it and
 * waits, but none of the artifact's bytes pass through the worker process. The same checks apply
 * as to uploads (paths, links, counts, expanded size), and the SHA-256 of what was read must be the
 * expected one. Exit codes: 0 done, 3 digest mismatch, 4 refused archive, 1 anything else.
 */
public final class CodeFetcher {
    static final int DIGEST_MISMATCH = 3;
    static final int REFUSED = 4;

    private CodeFetcher() {
    }

    /**
     * In the fetcher's process: {@code <target dir> <sha256> <max archive bytes> <max entries> <max expanded bytes>},
     * and the presigned URL on standard input (not on the command line, where any local user could read it).
     */
    public static void main(String[] args) {
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
            int query = url.indexOf('?');
            System.err.println(query < 0 || url.isEmpty() ? e.toString() : e.toString().replace(url.substring(query), "?[signature withheld]"));
            System.exit(1);
        }
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

    private static String classpath() {
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
