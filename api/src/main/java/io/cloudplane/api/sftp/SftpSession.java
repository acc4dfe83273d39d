package io.cloudplane.api.sftp;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.server.session.ServerSession;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One open SFTP session: who, where from, into which environment, what it sees, and what it changed
 * (for its activity-log entry). Kept as an attribute of MINA's session from the login on.
 */
final class SftpSession {
    static final AttributeRepository.AttributeKey<SftpSession> KEY = new AttributeRepository.AttributeKey<>();

    final ServerSession ssh;
    final SftpAccess.Grant grant;
    final String address;
    final Instant began = Instant.now();
    final SftpView view;
    final SftpQuotas.Usage usage;
    private final Set<Path> filesWritten = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicInteger removed = new AtomicInteger();
    private final AtomicInteger renamed = new AtomicInteger();
    private final AtomicInteger foldersMade = new AtomicInteger();

    SftpSession(ServerSession ssh, SftpAccess.Grant grant, String address, SftpView view, SftpQuotas.Usage usage) {
        this.ssh = ssh;
        this.grant = grant;
        this.address = address;
        this.view = view;
        this.usage = usage;
    }

    UUID userId() {
        return grant.userId();
    }

    UUID envId() {
        return grant.environment().id();
    }

    UUID appId() {
        return grant.environment().appId();
    }

    static SftpSession of(ServerSession ssh) {
        return ssh.getAttribute(KEY);
    }

    void wrote(Path file, long bytes) {
        filesWritten.add(file);
        bytesWritten.addAndGet(bytes);
        changed(file);
    }

    void removed(Path file) {
        removed.incrementAndGet();
        changed(file);
    }

    void renamed(Path from, Path to) {
        renamed.incrementAndGet();
        changed(from);
        changed(to);
    }

    void madeFolder(Path dir) {
        foldersMade.incrementAndGet();
        changed(dir);
    }

    private void changed(Path local) {
        if (view.codeWritable() && view.areaOf(local) == SftpView.Area.CODE) {
            usage.codeChanged();
        }
    }

    /** The activity log's words, e.g. "from 127.0.0.1, 12:01:03–12:04:10 UTC: wrote 3 files (2.1 MB), removed 1, renamed 1". */
    String describe(Instant ended) {
        StringBuilder what = new StringBuilder();
        if (!filesWritten.isEmpty()) {
            what.append("wrote ").append(filesWritten.size()).append(filesWritten.size() == 1 ? " file (" : " files (")
                    .append(size(bytesWritten.get())).append(')');
        }
        append(what, removed.get(), "removed ");
        append(what, renamed.get(), "renamed ");
        if (foldersMade.get() > 0) {
            append(what, foldersMade.get(), "made ");
            what.append(foldersMade.get() == 1 ? " folder" : " folders");
        }
        return "from " + address + ", " + TIME.format(began) + "–" + TIME.format(ended) + " UTC: "
                + (what.length() == 0 ? "changed nothing" : what);
    }

    private static void append(StringBuilder what, int count, String verb) {
        if (count > 0) {
            what.append(what.length() == 0 ? "" : ", ").append(verb).append(count);
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
        }
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
    }

    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
}
