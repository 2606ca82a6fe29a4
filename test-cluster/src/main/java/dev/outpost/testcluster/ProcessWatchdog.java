package dev.outpost.testcluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny {@code sh} process that kills the cluster's processes if this JVM dies without running its
 * shutdown hooks (SIGKILL, a crash, a surefire fork timeout).
 *
 * <p>It reads one PID per line from a pipe whose other end only this JVM holds; when the JVM goes
 * away the pipe reaches end of file and the watchdog terminates every PID it was told about, then
 * deletes the cluster's work folder.
 */
final class ProcessWatchdog implements AutoCloseable {

    private static final String SCRIPT = """
            pids=""
            while read -r pid; do pids="$pids $pid"; done
            [ -z "$pids" ] && exit 0
            kill -TERM $pids 2>/dev/null
            sleep 5
            for pid in $pids; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
            [ -n "$1" ] && sleep 1 && rm -rf -- "$1"
            exit 0
            """;

    private final Process process;
    private final OutputStream pids;

    private ProcessWatchdog(Process process) {
        this.process = process;
        this.pids = process.getOutputStream();
    }

    /**
     * Starts the watchdog; should the JVM die, it also deletes {@code workDir} after the kills (pass
     * null to keep it).
     */
    static ProcessWatchdog start(Path workDir) {
        try {
            Process process = new ProcessBuilder(List.of("/bin/sh", "-c", SCRIPT, "outpost-kube-watchdog",
                    workDir == null ? "" : workDir.toString()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new ProcessWatchdog(process);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the process watchdog (/bin/sh)", e);
        }
    }

    /** Tells the watchdog to kill {@code pid} should this JVM die. */
    synchronized void watch(long pid) {
        try {
            pids.write((pid + "\n").getBytes(StandardCharsets.US_ASCII));
            pids.flush();
        } catch (IOException e) {
            // The watchdog is a safety net; the cluster still stops its processes itself.
        }
    }

    /** Ends the watchdog without it killing anything: the cluster has stopped its processes itself. */
    @Override
    public void close() {
        // SIGTERM ends sh while it waits in read, before it reaches the kill lines.
        process.destroy();
    }
}
