package io.cloudplane.worker;

import io.cloudplane.infra.config.CdsTraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Writes the class-data-sharing archive of the packaged all-in-one, with which it starts in about
 * half the time (docs/benchmarks.md), by a training start of the whole control plane. The build
 * calls it after packaging:
 * {@code CdsArchive <cloudplane.jar> <archive> <training directory> [logback configuration]}.
 *
 * <p>It trains only when the archive is missing or was made for other inputs: the JVM refuses an
 * archive when the JVM, the jar or one of the libraries of its {@code Class-Path} differs in name,
 * size or modification time, so those, written beside the archive, decide. A run of an unchanged
 * tree starts at once.
 *
 * <p>A training start must touch nothing but its own throwaway services. Of its caller's
 * environment it keeps only the operating system's own variables (nothing of
 * {@code DATASOURCES_*}, {@code TEMPORAL_*}, {@code CLOUDPLANE_*}, {@code AWS_*},
 * {@code MICRONAUT_*}, {@code JAVA_TOOL_OPTIONS}, ... reaches it); it runs in its own directory,
 * with only the system properties below; and as a {@link CdsTraining} start it reads no
 * environment variable as configuration and runs no background job.
 */
public final class CdsArchive {
    private static final long TRAINING_TIMEOUT_MINUTES = 10;
    /** All a training start keeps of its caller's environment: what the operating system needs, no configuration. */
    private static final Set<String> OPERATING_SYSTEM_VARIABLES = Set.of("PATH", "SYSTEMROOT", "WINDIR", "TEMP", "TMP");

    private CdsArchive() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: CdsArchive <cloudplane.jar> <archive> <training directory> [logback configuration]");
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path archive = Path.of(args[1]).toAbsolutePath();
        Path trainingDir = Path.of(args[2]).toAbsolutePath();
        String logback = args.length > 3 ? args[3] : null;
        Path inputsFile = inputsFile(archive);
        String inputs = inputs(jar);
        if (Files.exists(archive) && Files.exists(inputsFile) && Files.readString(inputsFile).equals(inputs)) {
            return;
        }
        System.out.println("Making the class-data-sharing archive by a training start (once per change of the jar); log in "
                + trainingDir.resolve("training.log"));
        Files.deleteIfExists(inputsFile);
        archive.toFile().setWritable(true); // the JVM writes it read-only
        Files.deleteIfExists(archive);
        train(trainingCommand(jar, archive, trainingDir, logback), trainingDir);
        if (!Files.exists(archive)) {
            throw new IllegalStateException("the training start ended without writing " + archive);
        }
        Files.writeString(inputsFile, inputs);
    }

    /** Where the inputs the archive was made for are kept: beside it. */
    static Path inputsFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".inputs");
    }

    /** What the JVM checks before it uses an archive: its own build, and each jar's name, size and time. */
    static String inputs(Path jar) throws IOException {
        StringBuilder inputs = new StringBuilder()
                .append(System.getProperty("java.home")).append(' ').append(System.getProperty("java.vm.version")).append('\n');
        List<Path> classPath = new ArrayList<>(List.of(jar));
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            String manifestClassPath = jarFile.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (manifestClassPath != null) {
                for (String entry : manifestClassPath.trim().split("\\s+")) {
                    classPath.add(jar.resolveSibling(entry));
                }
            }
        }
        for (Path entry : classPath) {
            inputs.append(entry.getFileName());
            if (Files.exists(entry)) {
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                inputs.append(' ').append(attributes.size()).append(' ').append(attributes.lastModifiedTime().toMillis());
            } else {
                inputs.append(" missing");
            }
            inputs.append('\n');
        }
        return inputs.toString();
    }

    static List<String> trainingCommand(Path jar, Path archive, Path trainingDir, String logback) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + archive,
                "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off",
                "-D" + CdsTraining.PROPERTY + "=true",
                "-Dcloudplane.data-dir=" + trainingDir.resolve("data"),
                "-Dmicronaut.server.port=-1",
                "-Dcloudplane.embedded.temporal.port=0",
                "-Dcloudplane.embedded.postgres.port=0"));
        if (logback != null) {
            command.add("-Dlogback.configurationFile=" + logback);
        }
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    /**
     * Starts the training in a fresh directory with an environment that holds nothing but the
     * operating system's own variables, and waits for it to end. Its output goes to
     * {@code training.log} there (its "ready" line is not the one the caller waits for).
     */
    static void train(List<String> command, Path trainingDir) throws IOException, InterruptedException {
        deleteRecursively(trainingDir);
        Files.createDirectories(trainingDir);
        Path log = trainingDir.resolve("training.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(trainingDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> !OPERATING_SYSTEM_VARIABLES.contains(name.toUpperCase(Locale.ROOT)));
        Process training = builder.start();
        if (!training.waitFor(TRAINING_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            training.destroy();
            if (!training.waitFor(1, TimeUnit.MINUTES)) {
                training.destroyForcibly();
            }
            throw new IllegalStateException("the training start did not end within " + TRAINING_TIMEOUT_MINUTES + " minutes; see " + log);
        }
        if (training.exitValue() != 0) {
            throw new IllegalStateException("the training start exited with " + training.exitValue() + ":\n" + Files.readString(log));
        }
    }

    /** Its own small delete, not infra's FileTrees: the launcher runs with the worker's classes alone. */
    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
