package io.cloudplane.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time that processes have used, read from Linux's {@code /proc/<pid>/stat} (utime + stime, all
 * threads): what a request costs whatever else runs on the machine, where a rate (requests/s) only
 * says who got the cores. The embedded PostgreSQL is a daemon (not the JVM's child), so its
 * processes are found as its postmaster (the PID in {@code postmaster.pid}) and the postmaster's
 * children (the backends of the pool's connections and the auxiliary processes), plus what the
 * postmaster's reaped children used (cutime + cstime).
 */
final class ProcessCpu {
    /** USER_HZ: the unit of /proc's times. 100 on every Linux the JDK runs on; confirmed with getconf when present. */
    private static final long TICKS_PER_SECOND = ticksPerSecond();

    private ProcessCpu() {
    }

    /** The CPU milliseconds {@code pid} used so far (all its threads). */
    static double ofProcess(long pid) {
        long[] times = times(pid);
        if (times == null) {
            throw new IllegalStateException("no process " + pid + " in /proc: the CPU figures need Linux");
        }
        return millis(times[0] + times[1]);
    }

    /** The CPU milliseconds the PostgreSQL server on {@code pgData} used so far: postmaster, children, reaped children. */
    static double ofPostgres(Path pgData) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
        long[] own = times(postmaster);
        if (own == null) {
            throw new IllegalStateException("the postmaster " + postmaster + " of " + pgData + " is not running");
        }
        long ticks = own[0] + own[1] + own[2] + own[3];
        for (long child : childrenOf(postmaster)) {
            long[] times = times(child);
            if (times != null) {
                ticks += times[0] + times[1];
            }
        }
        return millis(ticks);
    }

    private static List<Long> childrenOf(long parent) throws IOException {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] fields = fieldsAfterName(Long.parseLong(name));
                if (fields != null && Long.parseLong(fields[1]) == parent) {
                    children.add(Long.parseLong(name));
                }
            }
        }
        return children;
    }

    /** utime, stime, cutime, cstime in ticks; null when the process is gone. */
    private static long[] times(long pid) {
        String[] f = fieldsAfterName(pid);
        if (f == null) {
            return null;
        }
        // fields after "pid (comm)": [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }

    private static String[] fieldsAfterName(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name may hold spaces and parentheses: the fields start after the last ')'
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    private static double millis(long ticks) {
        return ticks * 1000.0 / TICKS_PER_SECOND;
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
