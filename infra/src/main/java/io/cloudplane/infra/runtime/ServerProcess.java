package io.cloudplane.infra.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One server process of an environment, as the local runtime started it: where it serves, which
 * version it runs, and its last CPU reading (the baseline of the next sample). A process the
 * runtime ends because it no longer counts as a server of its environment (replaced, abandoned) is
 * retired first, so that its exit is no one's concern.
 */
final class ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);
    private final Process process;
    private final int port;
    private final String version;
    private final AtomicReference<ProcSampler.CpuTime> cpuBaseline = new AtomicReference<>();
    private volatile boolean retired;

    ServerProcess(Process process, int port, String version) {
        this.process = process;
        this.port = port;
        this.version = version;
    }

    int port() {
        return port;
    }

    String version() {
        return version;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** How the process ended; only once it has. */
    int exitValue() {
        return process.exitValue();
    }

    ServerEndpoint endpoint() {
        return new ServerEndpoint(port, "http://127.0.0.1:" + port + "/");
    }

    AtomicReference<ProcSampler.CpuTime> cpuBaseline() {
        return cpuBaseline;
    }

    /** Calls {@code ended} once the process has ended, whoever ended it. */
    void onExit(Runnable ended) {
        process.onExit().thenRun(ended);
    }

    boolean retired() {
        return retired;
    }

    /** Ends a process the runtime no longer counts as a server of its environment: its exit is not reported. */
    void retire() {
        retired = true;
        terminate();
    }

    /** Ends the process, and waits for it. */
    void terminate() {
        terminate(process.toHandle());
    }

    /** Asks a process to end, and forces it after 10 s. */
    static void terminate(ProcessHandle handle) {
        handle.destroy();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                LOG.warn("Process {} did not end", handle.pid());
            }
        }
    }
}
