package io.cloudplane.api.sftp;

import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.sftp.SftpSettings;
import jakarta.inject.Singleton;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each environment's disk use under SFTP, shared by its sessions in this process: counted by walking
 * its code and resources (links not followed) when its first session opens, then moved by every write,
 * truncation and removal, and forgotten when its last session ends. A write reserves the bytes it would
 * add before it happens, and gives back what it did not add.
 */
@Singleton
public class SftpQuotas {
    private static final Logger LOG = LoggerFactory.getLogger(SftpQuotas.class);
    private final long quotaBytes;
    private final long quotaMb;
    private final EnvironmentRepository environments;
    private final Map<UUID, Usage> usages = new HashMap<>();

    public SftpQuotas(SftpSettings settings, EnvironmentRepository environments) {
        this.quotaBytes = settings.quotaBytes();
        this.quotaMb = settings.quotaMb();
        this.environments = environments;
    }

    /** The usage of an environment, counted now if no session of it is open; {@link #release} when the session ends. */
    Usage acquire(UUID envId, Path... trees) {
        synchronized (usages) {
            Usage usage = usages.get(envId);
            if (usage == null) {
                usage = new Usage(envId, count(trees));
                usages.put(envId, usage);
            }
            usage.sessions++;
            return usage;
        }
    }

    void release(Usage usage) {
        synchronized (usages) {
            if (--usage.sessions == 0) {
                usages.remove(usage.envId);
            }
        }
    }

    private static long count(Path... trees) {
        long[] bytes = {0};
        for (Path tree : trees) {
            if (tree == null || !Files.isDirectory(tree)) {
                continue;
            }
            try {
                Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile()) {
                            bytes[0] += attrs.size();
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE; // removed while counted, or unreadable
                    }
                });
            } catch (IOException e) {
                LOG.warn("Could not count the disk use of {}: {}", tree, e.getMessage());
            }
        }
        return bytes[0];
    }

    /** One environment's bytes in use, and when its development code was last marked changed. */
    final class Usage {
        private final UUID envId;
        private final AtomicLong bytes;
        private final AtomicLong codeMarkedAt = new AtomicLong();
        private int sessions;

        private Usage(UUID envId, long bytes) {
            this.envId = envId;
            this.bytes = new AtomicLong(bytes);
        }

        long bytes() {
            return bytes.get();
        }

        /** Takes {@code growth} bytes of the quota, or fails with SSH_FX_QUOTA_EXCEEDED taking nothing. */
        void reserve(long growth, String what) throws SftpException {
            if (growth <= 0) {
                return;
            }
            long now;
            do {
                now = bytes.get();
                if (now + growth > quotaBytes) {
                    throw new SftpException(SftpConstants.SSH_FX_QUOTA_EXCEEDED, what + ": the environment's quota of " + quotaMb
                            + " MB for code and resources is reached (" + (now / (1024 * 1024)) + " MB used)");
                }
            } while (!bytes.compareAndSet(now, now + growth));
        }

        void free(long freed) {
            if (freed > 0) {
                bytes.addAndGet(-freed);
            }
        }

        /** Marks that SFTP changed the development code tree in place, at most once a second. */
        void codeChanged() {
            long nowMs = System.currentTimeMillis();
            long last = codeMarkedAt.get();
            if (nowMs - last >= 1000 && codeMarkedAt.compareAndSet(last, nowMs)) {
                environments.markCodeChanged(envId, Instant.ofEpochMilli(nowMs));
            }
        }
    }
}
