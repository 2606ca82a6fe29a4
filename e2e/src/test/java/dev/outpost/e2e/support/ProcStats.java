package dev.outpost.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux's /proc says of a process: resident memory and CPU time, for the benchmarks. */
public final class ProcStats {
    /** Linux's USER_HZ: /proc/PID/stat counts CPU time in these. */
    public static final double TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** Resident memory (VmRSS) in KiB. */
    public static long rssKib(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst().orElseThrow();
    }

    /** User plus system CPU time, in ticks (fields 14 and 15 of /proc/PID/stat). */
    public static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // after the command in parentheses (which may hold spaces), field 3 comes first
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
