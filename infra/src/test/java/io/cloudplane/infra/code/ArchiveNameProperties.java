package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static io.cloudplane.infra.Generators.anyText;
import static io.cloudplane.infra.Generators.qt;
import static io.cloudplane.infra.Generators.textOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Entry names and link targets of an uploaded archive are user text. Whatever they are (dots,
 * slashes, backslashes, drive letters, NUL, any Unicode), unpacking either refuses the archive
 * with a {@link HostileArchiveException} (which the API answers with a 400 naming {@code archive})
 * or writes only inside the target folder; it never fails any other way.
 */
class ArchiveNameProperties {
    private static final Limits LIMITS = new Limits(1024 * 1024, 100, 1024 * 1024);





    static Gen<String> names() {
        Gen<String> part = Generate.oneOf(arbitrary().pick("..", ".", "", "a", "b", "~", "C:", "\\..", "..\\", "\0", "/"),
                anyText(8), textOf("./\\ab", 0, 6));
        return lists().of(part).ofSizeBetween(1, 6).map(parts -> String.join("/", parts))
                .map(name -> name.length() > 99 ? name.substring(0, 99) : name);
    }

    @Test
    void anEntryNameOrLinkTargetIsRefusedOrStaysInside() {
        qt(300).forAll(names(), names(), names())
                // commons-compress cannot write some entries, so no client can send them either
                .assuming(ArchiveNameProperties::writable)
                .checkAssert((file, link, target) -> {
                    try {
                        refusedOrInside(file, link, target);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static boolean writable(String file, String link, String target) {
        try {
            tarGz(file, link, target);
            return true;
        } catch (IOException | RuntimeException unwritable) {
            return false;
        }
    }

    private static void refusedOrInside(String file, String link, String target) throws IOException {
        Path root = Files.createTempDirectory("archive-names-");
        Path tree = root.resolve("tree");
        try {
            byte[] archive = tarGz(file, link, target);
            try {
                CodeArchives.extractTarGz(new ByteArrayInputStream(archive), tree, LIMITS);
            } catch (HostileArchiveException refused) {
                return;
            }
            Path real = tree.toRealPath();
            try (Stream<Path> written = Files.walk(root)) {
                for (Path path : written.toList()) {
                    if (path.equals(root)) {
                        continue;
                    }
                    assertTrue(path.startsWith(tree), "written outside the tree: " + path);
                    if (Files.exists(path)) {
                        assertTrue(path.toRealPath().startsWith(real), "resolves outside the tree: " + path + " -> " + path.toRealPath());
                    }
                }
            }
        } finally {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static byte[] tarGz(String file, String link, String target) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            byte[] content = "x".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(file, true);
            entry.setSize(content.length);
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry symlink = new TarArchiveEntry(link, TarArchiveEntry.LF_SYMLINK, true);
            symlink.setLinkName(target);
            tar.putArchiveEntry(symlink);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
