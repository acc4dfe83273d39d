package io.cloudplane.api.sftp;

import io.cloudplane.infra.config.CdsTraining;
import io.cloudplane.infra.config.CloudplaneSettings;
import io.cloudplane.infra.sftp.SftpHostKey;
import io.cloudplane.infra.sftp.SftpSettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The SFTP server ({@code cloudplane.sftp.*}) on Apache MINA SSHD: the SFTP subsystem and nothing else
 * (no shell, no exec, no forwarding of ports, agents or X11), its host key from {@link SftpHostKey},
 * logins decided by {@link SftpLogins}, sessions kept by {@link SftpSessions}, and every file operation
 * through {@link SftpFileAccessor}. It runs in a process that serves callers, or as the Kubernetes
 * sidecar of one environment ({@code cloudplane.sftp.environment}); never in a training start.
 */
@Singleton
@Requires(property = "cloudplane.sftp.enabled", notEquals = "false")
@Requires(condition = SftpServer.ServesCallersOrSidecar.class)
@Requires(notEnv = CdsTraining.ENVIRONMENT)
public class SftpServer implements AutoCloseable, SftpEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SftpServer.class);
    private final SftpSettings settings;
    private final CloudplaneSettings cloudplane;
    private final SftpHostKey hostKey;
    private final SftpLogins logins;
    private final SftpSessions sessions;
    private final SftpFailedLogins failedLogins;
    private SshServer sshd;
    private ScheduledExecutorService rechecks;

    public SftpServer(SftpSettings settings, CloudplaneSettings cloudplane, SftpHostKey hostKey, SftpLogins logins,
                      SftpSessions sessions, SftpFailedLogins failedLogins) {
        this.settings = settings;
        this.cloudplane = cloudplane;
        this.hostKey = hostKey;
        this.logins = logins;
        this.sessions = sessions;
        this.failedLogins = failedLogins;
    }

    /** A process with the API, or the sidecar of one environment. */
    public static final class ServesCallersOrSidecar implements Condition {
        @Override
        public boolean matches(ConditionContext context) {
            boolean api = context.getProperty("cloudplane.api.enabled", Boolean.class).orElse(true);
            return api || context.getProperty("cloudplane.sftp.environment", String.class).filter(s -> !s.isBlank()).isPresent();
        }
    }

    @EventListener
    void onStartup(StartupEvent event) {
        start();
    }

    public synchronized void start() {
        if (sshd != null) {
            return;
        }
        sessions.root(virtualRoot());
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(settings.bindAddress());
        server.setPort(settings.port());
        server.setKeyPairProvider(hostKey.provider());
        server.setCipherFactories(ciphers(settings.ciphers()));
        server.setPasswordAuthenticator(logins);
        server.setPublickeyAuthenticator(logins);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setShellFactory(new OnlySftp());
        server.setCommandFactory(new OnlySftp());
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setAgentFactory(null);
        server.setFileSystemFactory(new DefaultFileSystem());
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder()
                .withFileSystemAccessor(new SftpFileAccessor())
                .withSftpErrorStatusDataHandler(new SftpFileAccessor.ErrorMessages())
                .build()));
        server.addSessionListener(sessions);
        CoreModuleProperties.IDLE_TIMEOUT.set(server, settings.idleTimeout());
        // A client keeps up to 64 requests of 32 KiB in flight (OpenSSH's sftp): a receive window of only that
        // much (MINA's 2 MiB default) makes every upload wait for window adjustments.
        CoreModuleProperties.WINDOW_SIZE.set(server, 8L * 1024 * 1024);
        SftpModuleProperties.AUTO_FOLLOW_LINKS.set(server, false);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen for SFTP on " + settings.bindAddress() + ":" + settings.port()
                    + " (cloudplane.sftp.bind-address and port): " + e.getMessage(), e);
        }
        sshd = server;
        long every = settings.recheckInterval().toMillis();
        rechecks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sftp-recheck");
            thread.setDaemon(true);
            return thread;
        });
        rechecks.scheduleWithFixedDelay(this::recheck, every, every, TimeUnit.MILLISECONDS);
        LOG.info("SFTP listening on {}:{} (host key {})", settings.bindAddress(), port(), hostKey.fingerprint());
    }

    private void recheck() {
        try {
            sessions.recheckAll();
            failedLogins.forgetIdle();
        } catch (RuntimeException e) {
            LOG.warn("SFTP sessions' recheck failed: {}", e.getMessage());
        }
    }

    /** The port it listens on (the one picked when {@code cloudplane.sftp.port} is 0). */
    @Override
    public int port() {
        SshServer server = sshd;
        if (server == null) {
            throw new IllegalStateException("the SFTP server is not started");
        }
        return server.getPort();
    }

    /** What {@code /} lists: an empty folder of Cloudplane's holding empty {@code code} and {@code resources}. */
    private Path virtualRoot() {
        Path root = cloudplane.dataDir().resolve("sftp").resolve("root").toAbsolutePath();
        try {
            Files.createDirectories(root.resolve(SftpView.CODE));
            Files.createDirectories(root.resolve(SftpView.RESOURCES));
            return root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the SFTP root folder " + root, e);
        }
    }

    @PreDestroy
    @Override
    public synchronized void close() {
        if (rechecks != null) {
            rechecks.shutdownNow();
            rechecks = null;
        }
        if (sshd != null) {
            try {
                sshd.stop(true);
            } catch (IOException e) {
                LOG.warn("Stopping the SFTP server: {}", e.getMessage());
            }
            sshd = null;
        }
    }

    /** Paths are the local file system's, reached only through {@link SftpView}; no home folder. */
    private static final class DefaultFileSystem implements FileSystemFactory {
        @Override
        public Path getUserHomeDir(SessionContext session) {
            return null;
        }

        @Override
        public FileSystem createFileSystem(SessionContext session) {
            return FileSystems.getDefault();
        }
    }

    /**
     * The ciphers offered, in order ({@code cloudplane.sftp.ciphers}). The default leaves out
     * chacha20-poly1305: MINA's is plain Java and moved files at under half of OpenSSH's speed, and since
     * OpenSSH's client puts it first it would be chosen whenever offered; AES (GCM, CTR) runs on the
     * JDK's AES-NI intrinsics (docs/benchmarks.md, "SFTP").
     */
    static java.util.List<org.apache.sshd.common.NamedFactory<org.apache.sshd.common.cipher.Cipher>> ciphers(java.util.List<String> names) {
        java.util.List<org.apache.sshd.common.NamedFactory<org.apache.sshd.common.cipher.Cipher>> factories = new java.util.ArrayList<>();
        for (String name : names) {
            org.apache.sshd.common.cipher.BuiltinCiphers cipher = org.apache.sshd.common.cipher.BuiltinCiphers.fromFactoryName(name);
            if (cipher == null || !cipher.isSupported()) {
                throw new IllegalStateException("cloudplane.sftp.ciphers: " + name + " is not a cipher this server supports");
            }
            factories.add(cipher);
        }
        return factories;
    }
}
