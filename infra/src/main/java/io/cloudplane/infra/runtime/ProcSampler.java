package io.cloudplane.infra.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Per-process figures from /proc (Linux): CPU from the change of the process's user and system
 * time (in clock ticks of 1/100 s) since the last reading, resident memory from VmRSS. A process
 * has no network figures of its own here: null.
 */
final class ProcSampler {
    private final Path proc;
    private final LongSupplier nanoTime;

    /** A process's user and system time, in clock ticks, and when it was read. */
    record CpuTime(long pid, long ticks, long nanoTime) {
    }

    ProcSampler() {
        this(Path.of("/proc"), System::nanoTime);
    }

    ProcSampler(Path proc, LongSupplier nanoTime) {
        this.proc = proc;
        this.nanoTime = nanoTime;
    }

    /**
     * One reading of process {@code pid}. Its CPU time replaces {@code baseline}, against which CPU
     * is measured: none at the first reading (null), nor after a reading of another process.
     */
    ServerSample sample(long pid, AtomicReference<CpuTime> baseline) throws IOException {
        Path process = proc.resolve(Long.toString(pid));
        String stat = Files.readString(process.resolve("stat"));
        // The command's name, in parentheses, may hold spaces and parentheses itself: the fields follow the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        long now = nanoTime.getAsLong();
        CpuTime before = baseline.getAndSet(new CpuTime(pid, ticks, now));
        Double cpu = before == null || before.pid() != pid || now <= before.nanoTime() ? null
                : (ticks - before.ticks()) * 1e9 / (now - before.nanoTime()); // (ticks / 100 s) / (ns / 1e9 s) * 100 %
        Long memory = null;
        for (String line : Files.readAllLines(process.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                memory = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new ServerSample(cpu, memory, null, null);
    }
}
