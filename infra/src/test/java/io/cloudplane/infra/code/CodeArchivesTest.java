package io.cloudplane.infra.code;

import io.cloudplane.infra.code.CodeArchives.HostileArchiveException;
import io.cloudplane.infra.code.CodeArchives.Limits;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeArchivesTest {
    private static final Limits GENEROUS = new Limits(10 * 1024 * 1024, 1000, 10 * 1024 * 1024);

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- good archives

    @Test
    void goodZipAndTarGzExtractToTheSameTree() throws IOException {
        Path tarGz = tarGz("good.tar.gz", tar -> {
            tarDir(tar, "src/");
            tarFile(tar, "src/main.py", "print('hello')\n", 0644);
            tarFile(tar, "src/lib/util.py", "def util():\n    return 1\n", 0644);
            tarFile(tar, "./bin/run.sh", "#!/bin/sh\nexec python3 src/main.py\n", 0755);
            tarSymlink(tar, "bin/main.py", "../src/main.py");
        });
        Path zip = zip("good.zip", out -> {
            zipDir(out, "src/");
            zipFile(out, "src/main.py", "print('hello')\n", 0644);
            zipFile(out, "src/lib/util.py", "def util():\n    return 1\n", 0644);
            zipFile(out, "bin/run.sh", "#!/bin/sh\nexec python3 src/main.py\n", 0755);
            zipSymlink(out, "bin/main.py", "../src/main.py");
        });
        Path fromTar = dir.resolve("from-tar");
        Path fromZip = dir.resolve("from-zip");
        Files.createDirectories(fromTar);
        Files.createDirectories(fromZip);

        CodeArchives.extract(tarGz, fromTar, GENEROUS);
        CodeArchives.extract(zip, fromZip, GENEROUS);

        Map<String, String> expected = Map.of(
                "src/main.py", "print('hello')\n",
                "src/lib/util.py", "def util():\n    return 1\n",
                "bin/run.sh", "#!/bin/sh\nexec python3 src/main.py\n",
                "bin/main.py", "print('hello')\n");
        for (Path tree : List.of(fromTar, fromZip)) {
            assertEquals(new TreeMap<>(expected), contents(tree), "content of " + tree);
            assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"),
                    Files.getPosixFilePermissions(tree.resolve("bin/run.sh")));
            assertEquals(PosixFilePermissions.fromString("rw-r--r--"),
                    Files.getPosixFilePermissions(tree.resolve("src/main.py")));
            assertTrue(Files.isSymbolicLink(tree.resolve("bin/main.py")));
            assertEquals(Path.of("../src/main.py"), Files.readSymbolicLink(tree.resolve("bin/main.py")));
        }
        assertEquals(listing(fromTar), listing(fromZip));
    }

    @Test
    void inTreeHardLinkIsCopiedAndGitGlobalHeaderIsSkipped() throws IOException {
        Path tarGz = tarGz("git.tar.gz", tar -> {
            // what git archive writes first: the commit id, as a global PAX header
            TarArchiveEntry global = new TarArchiveEntry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER);
            global.addPaxHeader("comment", "0123456789abcdef0123456789abcdef01234567");
            tar.putArchiveEntry(global);
            tarFile(tar, "tool", "#!/bin/sh\n", 0755);
            tarHardLink(tar, "bin/tool", "tool");
        });
        Path target = emptyTarget();

        CodeArchives.extract(tarGz, target, new Limits(1024 * 1024, 2, 1024));

        assertEquals(new TreeMap<>(Map.of("tool", "#!/bin/sh\n", "bin/tool", "#!/bin/sh\n")), contents(target));
        assertFalse(Files.isSymbolicLink(target.resolve("bin/tool")));
        assertTrue(Files.getPosixFilePermissions(target.resolve("bin/tool")).contains(PosixFilePermission.OWNER_EXECUTE));
    }

    @Test
    void emptyZipGivesAnEmptyTree() throws IOException {
        Path zip = zip("empty.zip", out -> { });
        Path target = emptyTarget();

        CodeArchives.extract(zip, target, GENEROUS);

        assertEquals(List.of(), listing(target));
    }

    // ---------------------------------------------------------------- hostile archives

    @Test
    void aTarHeaderThatWouldTakeMegabytesOfMemoryIsRefused() throws IOException {
        // A GNU long name is held whole by the reader: a 2 MiB one compresses to almost nothing.
        Path tarGz = tarGz("long-name.tar.gz", tar -> {
            byte[] name = "a".repeat(2 * 1024 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            TarArchiveEntry longName = new TarArchiveEntry("././@LongLink", org.apache.commons.compress.archivers.tar.TarConstants.LF_GNUTYPE_LONGNAME);
            longName.setSize(name.length);
            tar.putArchiveEntry(longName);
            tar.write(name);
            tar.closeArchiveEntry();
            tarFile(tar, "short.txt", "x", 0644);
        });
        assertTrue(Files.size(tarGz) < 100_000, "small on the wire: " + Files.size(tarGz));

        assertRefused("an entry's header (its name or extended attributes) is larger than 1048576 bytes", tarGz);
    }

    @Test
    void aZipWhoseDirectoryDeclaresTooManyEntriesIsRefusedBeforeItIsRead() throws IOException {
        Path zip = zip("many.zip", out -> {
            zipFile(out, "a.txt", "a", 0644);
            zipFile(out, "b.txt", "b", 0644);
        });
        byte[] bytes = Files.readAllBytes(zip);
        int eocd = bytes.length - 22;
        assertEquals(0x50, bytes[eocd] & 0xff);
        bytes[eocd + 8] = 0x00;
        bytes[eocd + 9] = 0x10; // 4096 entries on this disk
        bytes[eocd + 10] = 0x00;
        bytes[eocd + 11] = 0x10; // 4096 in all
        Files.write(zip, bytes);

        assertRefused("more than 1000 entries", zip);
    }

    @Test
    void dotDotEntryInTarIsRefused() throws IOException {
        Path tarGz = tarGz("evil.tar.gz", tar -> tarFile(tar, "../evil.txt", "pwned", 0644));

        assertRefused("entry '../evil.txt' leaves the code tree", tarGz);
        assertFalse(Files.exists(dir.resolve("evil.txt")));
    }

    @Test
    void dotDotEntryInZipIsRefused() throws IOException {
        Path zip = zip("evil.zip", out -> {
            zipFile(out, "fine.txt", "fine", 0644);
            zipFile(out, "../evil.txt", "pwned", 0644);
        });
        Path deeper = zip("deeper.zip", out -> zipFile(out, "sub/../../evil.txt", "pwned", 0644));

        assertRefused("entry '../evil.txt' leaves the code tree", zip);
        assertRefused("entry 'sub/../../evil.txt' leaves the code tree", deeper);
        assertFalse(Files.exists(dir.resolve("evil.txt")));
    }

    @Test
    void absolutePathInTarIsRefused() throws IOException {
        Path escape = dir.resolve("outside/abs-tar.txt");
        Path tarGz = tarGz("abs.tar.gz", tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(escape.toString(), true);
            byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        });

        assertRefused("entry '" + escape + "' is an absolute path", tarGz);
        assertFalse(Files.exists(escape));
        assertFalse(Files.exists(escape.getParent()));
    }

    @Test
    void absolutePathInZipIsRefused() throws IOException {
        Path escape = dir.resolve("outside/abs-zip.txt");
        Path zip = zip("abs.zip", out -> zipFile(out, escape.toString(), "pwned", 0644));

        assertRefused("entry '" + escape + "' is an absolute path", zip);
        assertFalse(Files.exists(escape));
    }

    @Test
    void windowsAbsoluteAndBackslashNamesAreRefused() throws IOException {
        // tar keeps backslashes as written (a zip entry made on "FAT" has them turned into slashes)
        assertRefused("entry 'C:\\evil.txt' is an absolute path",
                tarGz("drive.tar.gz", tar -> tarFile(tar, "C:\\evil.txt", "pwned", 0644)));
        assertRefused("entry '\\evil.txt' is an absolute path",
                tarGz("backslash.tar.gz", tar -> tarFile(tar, "\\evil.txt", "pwned", 0644)));
        assertRefused("entry 'a\\..\\..\\evil.txt' leaves the code tree",
                tarGz("dots.tar.gz", tar -> tarFile(tar, "a\\..\\..\\evil.txt", "pwned", 0644)));
        assertRefused("entry 'C:/evil.txt' is an absolute path",
                zip("drive.zip", out -> zipFile(out, "C:/evil.txt", "pwned", 0644)));
        assertFalse(Files.exists(dir.resolve("evil.txt")));
    }

    @Test
    void symlinkOutOfTheTreeInTarIsRefused() throws IOException {
        Path tarGz = tarGz("link.tar.gz", tar -> tarSymlink(tar, "link", "../../outside"));

        Path target = assertRefused("link 'link' points outside the code tree: ../../outside", tarGz);
        assertFalse(Files.exists(target.resolve("link"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void absoluteSymlinkInTarIsRefused() throws IOException {
        Path tarGz = tarGz("abslink.tar.gz", tar -> tarSymlink(tar, "etc", "/etc"));

        Path target = assertRefused("link 'etc' points outside the code tree: /etc", tarGz);
        assertFalse(Files.exists(target.resolve("etc"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void zipUnixSymlinkOutOfTheTreeIsRefused() throws IOException {
        Path zip = zip("link.zip", out -> {
            zipFile(out, "lib/ok.txt", "ok", 0644);
            zipSymlink(out, "lib/x", "../../etc");
        });

        Path target = assertRefused("link 'lib/x' points outside the code tree: ../../etc", zip);
        assertFalse(Files.exists(target.resolve("lib/x"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void fileWrittenThroughAnEscapingSymlinkIsRefused() throws IOException {
        Path tarGz = tarGz("through.tar.gz", tar -> {
            tarSymlink(tar, "a", "..");
            tarFile(tar, "a/escape.txt", "pwned", 0644);
        });

        Path target = assertRefused("link 'a' points outside the code tree: ..", tarGz);
        assertFalse(Files.exists(dir.resolve("escape.txt")));
        assertFalse(Files.exists(target.resolve("a"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void fileBelowAnInTreeSymlinkIsRefusedWhateverTheOrder() throws IOException {
        Path linkFirst = tarGz("link-first.tar.gz", tar -> {
            tarDir(tar, "real/");
            tarSymlink(tar, "a", "real");
            tarFile(tar, "a/x.txt", "x", 0644);
        });
        Path linkLast = tarGz("link-last.tar.gz", tar -> {
            tarDir(tar, "real/");
            tarFile(tar, "a/x.txt", "x", 0644);
            tarSymlink(tar, "a", "real");
        });

        assertRefused("entry 'a/x.txt' lies below the link 'a'", linkFirst);
        Path target = assertRefused("entry 'a' is both a folder and a link", linkLast);
        assertFalse(Files.isSymbolicLink(target.resolve("a")));
        assertFalse(Files.exists(target.resolve("real/x.txt")));
    }

    @Test
    void chainOfLinksLeavingTheTreeIsRefused() throws IOException {
        // "e" reads as inside ("s/d/../.." is the root), but s/d is itself a link to "..",
        // so that the kernel would take e to the target's parent.
        Path tarGz = tarGz("chain.tar.gz", tar -> {
            tarSymlink(tar, "e", "s/d/../..");
            tarDir(tar, "s/");
            tarSymlink(tar, "s/d", "..");
        });

        Path target = dir.resolve("target");
        Files.createDirectories(target);
        HostileArchiveException refused = assertThrows(HostileArchiveException.class,
                () -> CodeArchives.extract(tarGz, target, GENEROUS));
        assertEquals("link 'e' points outside the code tree: s/d/../..", refused.getMessage());
        assertFalse(Files.exists(target.resolve("e"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(target.resolve("s/d"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void hardLinkToEtcPasswdIsRefused() throws IOException {
        Path tarGz = tarGz("hard.tar.gz", tar -> tarHardLink(tar, "passwd", "/etc/passwd"));

        Path target = assertRefused("hard link 'passwd' points outside the code tree: /etc/passwd", tarGz);
        assertFalse(Files.exists(target.resolve("passwd"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void hardLinkToAFileNotInTheArchiveIsRefused() throws IOException {
        Path tarGz = tarGz("hard2.tar.gz", tar -> {
            tarHardLink(tar, "early", "later.txt");
            tarFile(tar, "later.txt", "later", 0644);
        });

        Path target = assertRefused("hard link 'early' points to 'later.txt', which is not a file extracted before it", tarGz);
        assertFalse(Files.exists(target.resolve("early")));
    }

    @Test
    void devicesAndFifosAreRefused() throws IOException {
        Path tarGz = tarGz("dev.tar.gz", tar -> {
            TarArchiveEntry device = new TarArchiveEntry("dev/null", TarConstants.LF_CHR);
            tar.putArchiveEntry(device);
            tar.closeArchiveEntry();
        });
        Path fifo = tarGz("fifo.tar.gz", tar -> {
            tar.putArchiveEntry(new TarArchiveEntry("pipe", TarConstants.LF_FIFO));
            tar.closeArchiveEntry();
        });

        Path target = assertRefused("entry 'dev/null' is a character device", tarGz);
        assertFalse(Files.exists(target.resolve("dev/null")));
        assertRefused("entry 'pipe' is a fifo", fifo);
    }

    @Test
    void tooManyEntriesAreRefused() throws IOException {
        Path tarGz = tarGz("many.tar.gz", tar -> {
            for (int i = 1; i <= 6; i++) {
                tarFile(tar, "f" + i + ".txt", "file " + i, 0644);
            }
        });
        Path zip = zip("many.zip", out -> {
            for (int i = 1; i <= 6; i++) {
                zipFile(out, "f" + i + ".txt", "file " + i, 0644);
            }
        });
        Limits five = new Limits(1024 * 1024, 5, 1024 * 1024);

        Path fromTar = assertRefused("more than 5 entries", tarGz, five);
        Path fromZip = assertRefused("more than 5 entries", zip, five);
        assertFalse(Files.exists(fromTar.resolve("f6.txt")));
        assertFalse(Files.exists(fromZip.resolve("f6.txt")));

        Path exactlyFive = emptyTarget();
        CodeArchives.extract(tarGz("five.tar.gz", tar -> {
            for (int i = 1; i <= 5; i++) {
                tarFile(tar, "f" + i + ".txt", "file " + i, 0644);
            }
        }), exactlyFive, five);
        assertEquals(5, contents(exactlyFive).size());
    }

    @Test
    void zipExpandingBeyondTheLimitIsRefused() throws IOException {
        Path zip = zip("bomb.zip", out -> zipFile(out, "zeros.bin", new byte[1024 * 1024], 0644));
        assertTrue(Files.size(zip) < 10 * 1024, "a megabyte of zeros compresses to a few kilobytes");

        Path target = assertRefused("expands to more than 102400 bytes", zip, new Limits(1024 * 1024, 10, 100 * 1024));
        Path written = target.resolve("zeros.bin");
        assertTrue(!Files.exists(written) || Files.size(written) <= 100 * 1024);
    }

    @Test
    void zipLyingAboutItsSizesIsStillMeasured() throws IOException {
        Path zip = zip("liar.zip", out -> zipFile(out, "zeros.bin", new byte[1024 * 1024], 0644));
        byte[] bytes = Files.readAllBytes(zip);
        int patched = 0;
        for (int i = 0; i + 4 <= bytes.length; i++) {
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4) {
                putInt(bytes, i + 22, 1000); // local header: uncompressed size
                patched++;
            } else if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2) {
                putInt(bytes, i + 24, 1000); // central directory: uncompressed size
                patched++;
            }
        }
        assertEquals(2, patched);
        Files.write(zip, bytes);

        Path target = assertRefused("expands to more than 102400 bytes", zip, new Limits(1024 * 1024, 10, 100 * 1024));
        Path written = target.resolve("zeros.bin");
        assertTrue(!Files.exists(written) || Files.size(written) <= 100 * 1024);
    }

    @Test
    void tarGzExpandingBeyondTheLimitIsRefused() throws IOException {
        Path tarGz = tarGz("bomb.tar.gz", tar -> tarFile(tar, "zeros.bin", new byte[1024 * 1024], 0644));

        Path target = assertRefused("expands to more than 102400 bytes", tarGz, new Limits(1024 * 1024, 10, 100 * 1024));
        Path written = target.resolve("zeros.bin");
        assertTrue(!Files.exists(written) || Files.size(written) <= 100 * 1024);
    }

    @Test
    void archiveLargerThanAllowedIsRefusedBeforeReading() throws IOException {
        Path zip = zip("big.zip", out -> zipFile(out, "a.txt", "some content", 0644));
        Path tarGz = tarGz("big.tar.gz", tar -> tarFile(tar, "a.txt", "some content", 0644));
        Limits tiny = new Limits(10, 10, 1024);

        Path fromZip = assertRefused("archive is larger than 10 bytes", zip, tiny);
        Path fromTar = assertRefused("archive is larger than 10 bytes", tarGz, tiny);
        assertEquals(List.of(), listing(fromZip));
        assertEquals(List.of(), listing(fromTar));
    }

    @Test
    void somethingElseIsNotAnArchive() throws IOException {
        Path random = dir.resolve("random.bin");
        byte[] bytes = new byte[4096];
        new java.util.Random(42).nextBytes(bytes);
        bytes[0] = 'X';
        Files.write(random, bytes);
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "PK is not enough");
        Path empty = Files.createFile(dir.resolve("empty"));

        assertRefused("not a zip or tar.gz archive", random);
        assertRefused("not a zip or tar.gz archive", text);
        assertRefused("not a zip or tar.gz archive", empty);
    }

    @Test
    void truncatedTarGzIsRefusedAsDamaged() throws IOException {
        Path tarGz = tarGz("whole.tar.gz", tar -> tarFile(tar, "a.txt", randomBytes(200_000), 0644));
        byte[] bytes = Files.readAllBytes(tarGz);
        Path truncated = dir.resolve("truncated.tar.gz");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        Path target = dir.resolve("target");
        Files.createDirectories(target);
        HostileArchiveException refused = assertThrows(HostileArchiveException.class,
                () -> CodeArchives.extract(truncated, target, GENEROUS));
        assertTrue(refused.getMessage().startsWith("archive is damaged or unsupported: "), refused.getMessage());
    }

    // ---------------------------------------------------------------- extractTarGz

    @Test
    void extractTarGzReturnsTheDigestOfEveryByteRead() throws IOException {
        Path tarGz = tarGz("artifact.tar.gz", tar -> {
            tarFile(tar, "app/main.py", "print('hello')\n", 0644);
            tarFile(tar, "app/run", "#!/bin/sh\n", 0755);
        });
        Path withTrailer = dir.resolve("trailer.tar.gz");
        Files.write(withTrailer, concat(Files.readAllBytes(tarGz), "trailing bytes after the gzip member".getBytes(StandardCharsets.UTF_8)));

        for (Path file : List.of(tarGz, withTrailer)) {
            Path target = dir.resolve("out-" + file.getFileName());
            Files.createDirectories(target);
            TrackingInputStream in = new TrackingInputStream(Files.readAllBytes(file));

            String digest = CodeArchives.extractTarGz(in, target, GENEROUS);

            assertEquals(CodeArchives.sha256(file), digest);
            assertEquals(sha256(Files.readAllBytes(file)), digest);
            assertEquals(-1, in.read(), "the stream is read to its end");
            assertFalse(in.closed, "the caller closes the stream");
            assertEquals(new TreeMap<>(Map.of("app/main.py", "print('hello')\n", "app/run", "#!/bin/sh\n")), contents(target));
            assertTrue(Files.getPosixFilePermissions(target.resolve("app/run")).contains(PosixFilePermission.OWNER_EXECUTE));
        }
    }

    @Test
    void extractTarGzRefusesHostileContent() throws IOException {
        Path evil = tarGz("evil.tar.gz", tar -> {
            tarFile(tar, "ok.txt", "ok", 0644);
            tarFile(tar, "../evil.txt", "pwned", 0644);
        });
        Path target = dir.resolve("target");
        Files.createDirectories(target);

        HostileArchiveException refused = assertThrows(HostileArchiveException.class,
                () -> CodeArchives.extractTarGz(Files.newInputStream(evil), target, GENEROUS));
        assertEquals("entry '../evil.txt' leaves the code tree", refused.getMessage());
        assertFalse(Files.exists(dir.resolve("evil.txt")));

        Path link = tarGz("link.tar.gz", tar -> tarSymlink(tar, "link", "../../outside"));
        Path target2 = dir.resolve("target2");
        Files.createDirectories(target2);
        HostileArchiveException linkRefused = assertThrows(HostileArchiveException.class,
                () -> CodeArchives.extractTarGz(Files.newInputStream(link), target2, GENEROUS));
        assertEquals("link 'link' points outside the code tree: ../../outside", linkRefused.getMessage());
    }

    @Test
    void extractTarGzCountsTheStreamAgainstTheArchiveLimit() throws IOException {
        Path tarGz = tarGz("artifact.tar.gz", tar -> tarFile(tar, "noise.bin", randomBytes(64 * 1024), 0644));
        Path target = dir.resolve("target");
        Files.createDirectories(target);
        Limits limits = new Limits(16 * 1024, 10, 1024 * 1024);

        HostileArchiveException refused = assertThrows(HostileArchiveException.class,
                () -> CodeArchives.extractTarGz(Files.newInputStream(tarGz), target, limits));
        assertEquals("archive is larger than 16384 bytes", refused.getMessage());

        // the trailer counts as well: a fitting archive followed by too much is refused
        byte[] small = Files.readAllBytes(tarGz("small.tar.gz", tar -> tarFile(tar, "a.txt", "a", 0644)));
        Path target2 = dir.resolve("target2");
        Files.createDirectories(target2);
        HostileArchiveException trailer = assertThrows(HostileArchiveException.class,
                () -> CodeArchives.extractTarGz(new ByteArrayInputStream(concat(small, randomBytes(20 * 1024))), target2, limits));
        assertEquals("archive is larger than 16384 bytes", trailer.getMessage());
    }

    @Test
    void extractTarGzPassesOnTheSourceFailure() throws IOException {
        byte[] bytes = Files.readAllBytes(tarGz("a.tar.gz", tar -> tarFile(tar, "a.bin", randomBytes(100_000), 0644)));
        InputStream failing = new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                if (position >= bytes.length / 2) {
                    throw new IOException("connection reset");
                }
                return bytes[position++] & 0xff;
            }
        };
        Path target = dir.resolve("target");
        Files.createDirectories(target);

        IOException failure = assertThrows(IOException.class, () -> CodeArchives.extractTarGz(failing, target, GENEROUS));
        assertEquals("connection reset", failure.getMessage());
    }

    // ---------------------------------------------------------------- writeTarGz

    @Test
    void writeTarGzIsCanonicalAndRoundTrips() throws IOException {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("src/pkg"));
        Files.createDirectories(tree.resolve("empty"));
        Files.writeString(tree.resolve("src/pkg/app.py"), "print('app')\n");
        Files.writeString(tree.resolve("README.md"), "# readme\n");
        Path script = tree.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\necho run\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(tree.resolve("README.md"), PosixFilePermissions.fromString("rw-------"));
        String longName = "a-very-long-folder-name-".repeat(3) + "/" + "and-an-even-longer-file-name-".repeat(3) + ".txt";
        Files.createDirectories(tree.resolve(longName).getParent());
        Files.writeString(tree.resolve(longName), "long\n");
        Files.createSymbolicLink(tree.resolve("app.py"), Path.of("src/pkg/app.py"));
        Files.createSymbolicLink(tree.resolve("srclink"), Path.of("src"));

        TrackingOutputStream first = new TrackingOutputStream();
        CodeArchives.writeTarGz(tree, first);
        touchAll(tree, Instant.parse("2001-02-03T04:05:06Z"));
        TrackingOutputStream second = new TrackingOutputStream();
        CodeArchives.writeTarGz(tree, second);

        assertFalse(first.closed, "the caller closes the stream");
        assertArrayEquals(first.toByteArray(), second.toByteArray());
        byte[] bytes = first.toByteArray();
        assertEquals(0, bytes[4] | bytes[5] | bytes[6] | bytes[7], "no gzip modification time");
        assertEquals(0, bytes[3] & 0x08, "no gzip file name");

        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(bytes)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                names.add(entry.getName());
                assertEquals(0, entry.getModTime().getTime(), entry.getName());
                assertEquals(0, entry.getLongUserId());
                assertEquals(0, entry.getLongGroupId());
                assertEquals("", entry.getUserName());
                assertEquals("", entry.getGroupName());
                int permissions = entry.getMode() & 0777;
                if (entry.isDirectory() || entry.getName().equals("run.sh")) {
                    assertEquals(0755, permissions, entry.getName());
                } else if (!entry.isSymbolicLink()) {
                    assertEquals(0644, permissions, entry.getName());
                }
                if (entry.getName().equals("srclink")) {
                    assertTrue(entry.isSymbolicLink());
                    assertEquals("src", entry.getLinkName());
                }
            }
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names);
        assertTrue(names.contains("empty/"));
        assertTrue(names.contains(longName));
        assertFalse(names.contains("srclink/pkg/app.py"), "symlinked folders are not followed");

        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        String digest = CodeArchives.extractTarGz(new ByteArrayInputStream(bytes), copy, GENEROUS);
        assertEquals(sha256(bytes), digest);
        assertEquals(contents(tree), contents(copy));
        assertEquals(listing(tree), listing(copy));
        assertTrue(Files.getPosixFilePermissions(copy.resolve("run.sh")).contains(PosixFilePermission.OWNER_EXECUTE));
        assertFalse(Files.getPosixFilePermissions(copy.resolve("README.md")).contains(PosixFilePermission.OWNER_EXECUTE));
        assertEquals(Path.of("src/pkg/app.py"), Files.readSymbolicLink(copy.resolve("app.py")));
        assertEquals(Path.of("src"), Files.readSymbolicLink(copy.resolve("srclink")));
        assertTrue(Files.isDirectory(copy.resolve("empty")));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        CodeArchives.writeTarGz(copy, again);
        assertArrayEquals(bytes, again.toByteArray(), "the unpacked tree packs to the same bytes");
    }

    // ---------------------------------------------------------------- helpers

    private Path assertRefused(String message, Path archive) throws IOException {
        return assertRefused(message, archive, GENEROUS);
    }

    /** Extracts into a fresh target next to {@link #dir}'s other files, expecting a refusal. */
    private Path assertRefused(String message, Path archive, Limits limits) throws IOException {
        Path target = Files.createTempDirectory(dir, "target");
        Executable extraction = () -> CodeArchives.extract(archive, target, limits);
        HostileArchiveException refused = assertThrows(HostileArchiveException.class, extraction);
        assertEquals(message, refused.getMessage());
        return target;
    }

    private Path emptyTarget() throws IOException {
        return Files.createTempDirectory(dir, "target");
    }

    private interface TarContent {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private interface ZipContent {
        void write(ZipArchiveOutputStream zip) throws IOException;
    }

    private Path tarGz(String name, TarContent content) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            content.write(tar);
            tar.finish();
        }
        return file;
    }

    private Path zip(String name, ZipContent content) throws IOException {
        Path file = dir.resolve(name);
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(file)) {
            content.write(zip);
            zip.finish();
        }
        return file;
    }

    private static void tarFile(TarArchiveOutputStream tar, String name, String content, int mode) throws IOException {
        tarFile(tar, name, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private static void tarFile(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setMode(0100000 | mode);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void tarDir(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(new TarArchiveEntry(name));
        tar.closeArchiveEntry();
    }

    private static void tarSymlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void tarHardLink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void zipFile(ZipArchiveOutputStream zip, String name, String content, int mode) throws IOException {
        zipFile(zip, name, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private static void zipFile(ZipArchiveOutputStream zip, String name, byte[] content, int mode) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(0100000 | mode);
        zip.putArchiveEntry(entry);
        zip.write(content);
        zip.closeArchiveEntry();
    }

    private static void zipDir(ZipArchiveOutputStream zip, String name) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(040755);
        zip.putArchiveEntry(entry);
        zip.closeArchiveEntry();
    }

    private static void zipSymlink(ZipArchiveOutputStream zip, String name, String target) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(0120777);
        zip.putArchiveEntry(entry);
        zip.write(target.getBytes(StandardCharsets.UTF_8));
        zip.closeArchiveEntry();
    }

    /** Every regular file (links followed) below a tree, by '/'-separated relative path. */
    private static Map<String, String> contents(Path tree) throws IOException {
        Map<String, String> contents = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(path)) {
                    contents.put(tree.relativize(path).toString(), Files.readString(path));
                }
            }
        }
        return contents;
    }

    /** Every path below a tree, links not followed, with its kind. */
    private static List<String> listing(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            return walk.filter(p -> !p.equals(tree))
                    .map(p -> tree.relativize(p) + (Files.isSymbolicLink(p) ? " (link)" : Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .toList();
        }
    }

    private static void touchAll(Path tree, Instant time) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (!Files.isSymbolicLink(path)) {
                    Files.setLastModifiedTime(path, FileTime.from(time));
                }
            }
        }
    }

    private static void putInt(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) value;
        bytes[offset + 1] = (byte) (value >>> 8);
        bytes[offset + 2] = (byte) (value >>> 16);
        bytes[offset + 3] = (byte) (value >>> 24);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new java.util.Random(size).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class TrackingInputStream extends ByteArrayInputStream {
        boolean closed;

        TrackingInputStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class TrackingOutputStream extends ByteArrayOutputStream {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }
}
