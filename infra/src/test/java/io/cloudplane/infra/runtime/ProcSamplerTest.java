package io.cloudplane.infra.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcSamplerTest {
    @TempDir
    Path proc;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @Test
    void cpuIsTheChangeOfUserAndSystemTimeSinceTheLastReadingAndMemoryIsTheResidentSet() throws IOException {
        ProcSampler sampler = new ProcSampler(proc, clock::get);
        AtomicReference<ProcSampler.CpuTime> baseline = new AtomicReference<>();
        // A command name may hold spaces and parentheses: the fields are counted from the last ')'.
        process(123, "my (odd) server", 250, 50, 2048);

        ServerSample first = sampler.sample(123, baseline);
        assertNull(first.cpuPercent(), "no baseline yet");
        assertEquals(2048L * 1024, first.memoryBytes());
        assertNull(first.netInBytes());
        assertNull(first.netOutBytes());

        process(123, "my (odd) server", 300, 100, 4096); // 100 ticks (1 s of CPU) more
        clock.addAndGet(2_000_000_000L); // in 2 s
        ServerSample second = sampler.sample(123, baseline);
        assertEquals(50.0, second.cpuPercent(), 1e-9, "half a core");
        assertEquals(4096L * 1024, second.memoryBytes());
    }

    @Test
    void aBaselineOfAnotherProcessOrOfNoTimeAgoSaysNothing() throws IOException {
        ProcSampler sampler = new ProcSampler(proc, clock::get);
        process(1, "server", 10, 0, 100);
        process(2, "server", 500, 0, 100);
        AtomicReference<ProcSampler.CpuTime> baseline = new AtomicReference<>();
        sampler.sample(1, baseline);
        clock.addAndGet(1_000_000_000L);
        assertNull(sampler.sample(2, baseline).cpuPercent(), "another process's ticks");
        assertNull(sampler.sample(2, baseline).cpuPercent(), "no time passed");
    }

    @Test
    void aProcessThatIsGoneHasNoReading() {
        ProcSampler sampler = new ProcSampler(proc, clock::get);
        assertThrows(NoSuchFileException.class, () -> sampler.sample(999, new AtomicReference<>()));
    }

    @Test
    void readsTheRealProcOfThisJvm() throws IOException {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")), "Linux only");
        ServerSample sample = new ProcSampler().sample(ProcessHandle.current().pid(), new AtomicReference<>());
        assertTrue(sample.memoryBytes() > 1024 * 1024, sample.toString());
    }

    /** Writes the two files of /proc/<pid> the sampler reads: stat (utime and stime are its 14th and 15th fields) and status. */
    private void process(long pid, String name, long utime, long stime, long rssKib) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + name + ") S 1 " + pid + " " + pid + " 0 -1 4194304 100 0 0 0 "
                + utime + " " + stime + " 0 0 20 0 1 0 100 1000000 200\n");
        Files.writeString(dir.resolve("status"), "Name:\t" + name + "\nVmPeak:\t  9999 kB\nVmRSS:\t  " + rssKib + " kB\nThreads:\t1\n");
    }
}
