package io.cloudplane.worker;

import io.cloudplane.infra.code.CodeArchives;
import io.cloudplane.infra.files.FileTrees;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Small sites for the tests' code uploads, as the canonical tar.gz that uploads take. */
public final class Sites {
    private Sites() {
    }

    /** The files (path under the root → content), archived; the folder they were written to is deleted. */
    public static byte[] of(Map<String, String> files) throws IOException {
        Path dir = Files.createTempDirectory("site-");
        try {
            for (var file : files.entrySet()) {
                Path path = dir.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CodeArchives.writeTarGz(dir, out);
            return out.toByteArray();
        } finally {
            FileTrees.delete(dir);
        }
    }

    /** One page, {@code index.html}, with {@code html}. */
    public static byte[] onePage(String html) throws IOException {
        return of(Map.of("index.html", html));
    }
}
