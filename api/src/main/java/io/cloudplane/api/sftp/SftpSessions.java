package io.cloudplane.api.sftp;

import io.cloudplane.infra.environment.EnvironmentRecord.EnvironmentType;
import io.cloudplane.infra.files.EnvironmentFiles;
import io.cloudplane.infra.operation.ActivityLogRecord;
import io.cloudplane.infra.operation.ActivityLogRepository;
import io.cloudplane.infra.sftp.SftpSettings;
import io.cloudplane.infra.team.MembershipChangedEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The open SFTP sessions of this process. A session opens once SSH says its login succeeded (at most
 * {@code max-sessions-per-user} per person: the next is disconnected with a message), is decided again
 * at once when its person's membership of the app is removed or its ownership changes
 * ({@link MembershipChangedEvent}) and every {@code recheck-interval} (changes made by another process, a
 * deleted environment), and is closed when it is refused. When it ends, it writes one activity-log entry.
 */
@Singleton
public class SftpSessions implements SessionListener {
    static final String ACTION = "sftp-session";
    private static final Logger LOG = LoggerFactory.getLogger(SftpSessions.class);
    private final SftpAccess access;
    private final SftpQuotas quotas;
    private final EnvironmentFiles files;
    private final ActivityLogRepository activityLog;
    private final SftpSettings settings;
    private final Map<Session, SftpSession> open = new ConcurrentHashMap<>();
    private final Executor rechecks = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sftp-membership-recheck");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Path root;
    private final SftpMeters meters;

    public SftpSessions(SftpAccess access, SftpQuotas quotas, EnvironmentFiles files, ActivityLogRepository activityLog,
                        SftpSettings settings, SftpMeters meters) {
        this.meters = meters;
        meters.sessions(open);
        this.access = access;
        this.quotas = quotas;
        this.files = files;
        this.activityLog = activityLog;
        this.settings = settings;
    }

    /** The virtual root's folder (empty {@code code} and {@code resources} in it), set by the server at start. */
    void root(Path root) {
        this.root = root;
    }

    List<SftpSession> open() {
        return List.copyOf(open.values());
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated && session instanceof ServerSession ssh) {
            SftpAccess.Grant grant = ssh.getAttribute(SftpLogins.GRANT);
            if (grant != null) {
                admit(ssh, grant);
            } else {
                disconnect(ssh, SshConstants.SSH2_DISCONNECT_BY_APPLICATION, "not signed in");
            }
        }
    }

    @Override
    public void sessionClosed(Session session) {
        SftpSession closed = open.remove(session);
        if (closed == null) {
            return;
        }
        quotas.release(closed.usage);
        Instant ended = Instant.now();
        String detail = closed.describe(ended);
        try {
            activityLog.appendOnce(closed.appId(), closed.envId(), ACTION, closed.userId(), ActivityLogRecord.Outcome.SUCCEEDED.name(),
                    detail, null, ended);
        } catch (RuntimeException e) {
            LOG.warn("Could not write the activity log of the SFTP session of {} on environment {}: {}", closed.grant.email(),
                    closed.envId(), e.getMessage());
        }
        LOG.info("SFTP session of {} on environment {} ended: {}", closed.grant.email(), closed.envId(), detail);
    }

    private void admit(ServerSession ssh, SftpAccess.Grant grant) {
        String address = SftpLogins.address(ssh.getClientAddress());
        SftpSession session;
        synchronized (open) {
            long mine = open.values().stream().filter(s -> s.userId().equals(grant.userId())).count();
            if (mine >= settings.maxSessionsPerUser()) {
                LOG.info("SFTP login refused: {} from {}: already {} open sessions", grant.email(), address, mine);
                meters.login(SftpMeters.Outcome.TOO_MANY_SESSIONS);
                disconnect(ssh, SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, "Too many open SFTP sessions: at most " + settings.maxSessionsPerUser()
                        + " per person; close one and try again");
                return;
            }
            SftpView view = view(grant);
            Path[] trees = trees(view);
            session = new SftpSession(ssh, grant, address, view, quotas.acquire(grant.environment().id(), trees));
            ssh.setAttribute(SftpSession.KEY, session);
            open.put(ssh, session);
        }
        meters.login(SftpMeters.Outcome.SUCCEEDED);
        if (!ssh.isOpen()) {
            sessionClosed(ssh); // closed while it was opened
            return;
        }
        LOG.info("SFTP session of {} ({}) on environment {} ({}) from {}", grant.email(), grant.role(), grant.environment().id(),
                grant.environment().name(), address);
    }

    private SftpView view(SftpAccess.Grant grant) {
        String envId = grant.environment().id().toString();
        boolean development = grant.environment().type() == EnvironmentType.DEVELOPMENT;
        if (settings.filesRoot() != null) {
            Path filesRoot = settings.filesRoot().toAbsolutePath();
            return new SftpView(root, filesRoot.resolve(SftpView.CODE), filesRoot.resolve(SftpView.RESOURCES), development);
        }
        return new SftpView(root, files.codeDir(envId), files.resourcesDir(envId), development);
    }

    private static Path[] trees(SftpView view) {
        Path code;
        Path resources;
        try {
            code = view.codeTree();
        } catch (java.io.IOException e) {
            code = null;
        }
        try {
            resources = view.resourcesTree();
        } catch (java.io.IOException e) {
            resources = null;
        }
        return new Path[]{code, resources};
    }

    /** A removal (or an ownership change) ends that person's sessions on that app at once, if they lost access. */
    @EventListener
    void onMembershipChanged(MembershipChangedEvent event) {
        if (event.change() != MembershipChangedEvent.Change.REMOVED && event.change() != MembershipChangedEvent.Change.OWNER_CHANGED) {
            return;
        }
        List<SftpSession> concerned = open.values().stream()
                .filter(s -> s.userId().equals(event.userId()) && s.appId().equals(event.appId())).toList();
        if (!concerned.isEmpty()) {
            rechecks.execute(() -> concerned.forEach(this::recheck));
        }
    }

    /** Decides every open session again; the server calls it every {@code recheck-interval}. */
    void recheckAll() {
        open.values().forEach(this::recheck);
    }

    void recheck(SftpSession session) {
        SftpAccess.Decision decision;
        try {
            decision = access.decide(session.userId(), session.grant.email(), session.envId());
        } catch (RuntimeException e) {
            LOG.warn("Could not decide the SFTP session of {} again: {}", session.grant.email(), e.getMessage());
            return;
        }
        if (!decision.allowed()) {
            LOG.info("SFTP session of {} on environment {} closed: {}", session.grant.email(), session.envId(), decision.refusal());
            disconnect(session.ssh, SshConstants.SSH2_DISCONNECT_BY_APPLICATION, "Your access to this environment has ended");
        }
    }

    private static void disconnect(ServerSession ssh, int reason, String message) {
        try {
            ssh.disconnect(reason, message);
        } catch (java.io.IOException | RuntimeException e) {
            ssh.close(true);
        }
    }

}
