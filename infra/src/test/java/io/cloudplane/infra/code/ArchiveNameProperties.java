package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entry names and link targets of an uploaded archive are user text. Whatever they are (dots,
 * slashes, backslashes, drive letters, NUL, any Unicode), unpacking either refuses the archive
 * with a {@link HostileArchiveException} (which the API answers with a 400 naming {@code archive})
 * or writes only inside the target folder; it never fails any other way.
 */
class ArchiveNameProperties {
    private static final Limits LIMITS = new Limits(1024 * 1024, 100, 1024 * 1024);

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> part = Arbitraries.oneOf(Arbitraries.of("..", ".", "", "a", "b", "~", "C:", "\\..", "..\\", "\0", "/"),
                Arbitraries.strings().all().ofMaxLength(8), Arbitraries.strings().withChars("./\\ab").ofMaxLength(6));
        return part.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join("/", parts))
                .map(name -> name.length() > 99 ? name.substring(0, 99) : name);
    }

    @Property(tries = 300)
    void anEntryNameOrLinkTargetIsRefusedOrStaysInside(@ForAll("names") String file, @ForAll("names") String link,
                                                        @ForAll("names") String target) throws IOException {
        Path root = Files.createTempDirectory("archive-names-");
        Path tree = root.resolve("tree");
        try {
            byte[] archive;
            try {
                archive = tarGz(file, link, target);
            } catch (IOException | RuntimeException unwritable) {
                Assume.that(false); // commons-compress cannot write such an entry, so no client can send it either
                return;
            }
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
