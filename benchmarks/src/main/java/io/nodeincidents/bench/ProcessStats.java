package io.nodeincidents.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc tells of a running process, for benches that measure a child process from outside. */
final class ProcessStats {

    private ProcessStats() {
    }

    /** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // fields after the command name (which may hold spaces) in parentheses; utime and stime are fields 14, 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {@link #cpuTicks}, or 0 when the process ended between two looks. */
    static long cpuTicksOrZero(long pid) {
        try {
            return cpuTicks(pid);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A kB figure of /proc/PID/status (VmHWM, VmRSS, ...), or 0 when the process ended between two looks. */
    static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between two looks
        }
        return 0;
    }
}
