package io.cloudplane.infra.runtime;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What the local runtime knows of one environment's server: the process serving it, the one an
 * update brings up beside it, and how each last ended. The runtime serialises an environment's
 * starts, stops and updates on this object's monitor; the probes and the exit callbacks read and
 * change it without taking that lock, so that an exit is handled even while a stop holds the lock
 * waiting for that very process to end.
 */
final class LocalServer {
    private final AtomicReference<ServerProcess> current = new AtomicReference<>();
    private final AtomicReference<ServerProcess> update = new AtomicReference<>();
    /** How the server that died unasked ended, until it is started or stopped again. */
    private volatile Integer exitCode;
    /** How the update's server ended, until the next update, its end, or a stop. */
    private volatile Integer updateExitCode;
    /** From a stop until the next start: the server's exit meanwhile is not a crash. */
    private volatile boolean stopping;

    /** The process serving the environment, alive or not, or null. */
    ServerProcess current() {
        return current.get();
    }

    /** Makes {@code process} the environment's server; returns the one it replaces, if any. */
    ServerProcess serve(ServerProcess process) {
        return current.getAndSet(process);
    }

    /** Forgets the environment's server, if it is still {@code process}. */
    void forgetCurrent(ServerProcess process) {
        current.compareAndSet(process, null);
    }

    /** Forgets the environment's server, and returns it. */
    ServerProcess takeCurrent() {
        return current.getAndSet(null);
    }

    /** The update's server, alive or not, or null. */
    ServerProcess update() {
        return update.get();
    }

    void startUpdate(ServerProcess process) {
        update.set(process);
    }

    /** Forgets the update's server, if it is still {@code process}. */
    void forgetUpdate(ServerProcess process) {
        update.compareAndSet(process, null);
    }

    /** Forgets the update's server, and returns it. */
    ServerProcess takeUpdate() {
        return update.getAndSet(null);
    }

    /** Whether a process of this environment may still run: the stop at shutdown is for these. */
    boolean hasProcess() {
        return current.get() != null || update.get() != null;
    }

    Integer exitCode() {
        return exitCode;
    }

    void exitCode(Integer code) {
        exitCode = code;
    }

    Integer updateExitCode() {
        return updateExitCode;
    }

    void updateExitCode(Integer code) {
        updateExitCode = code;
    }

    boolean stopping() {
        return stopping;
    }

    void stopping(boolean value) {
        stopping = value;
    }
}
