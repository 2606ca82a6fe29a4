package dev.outpost.testcluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One child process of the test cluster, its output in a log file, stoppable with all its descendants. */
final class ManagedProcess {

    private static final int TAIL_BYTES = 6_000;

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with stdout and stderr appended to {@code log}. */
    static ManagedProcess start(String name, List<String> command, Path log, Path workDir, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(env);
        try {
            return new ManagedProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.getFirst() + ")", e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Throws, with the end of the log, if the process has exited. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; end of " + log + ":\n"
                    + tail());
        }
    }

    /** The last few kilobytes of the log. */
    String tail() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /**
     * Stops every given process and its descendants: SIGTERM to all at once (so their graceful
     * shutdowns overlap), then SIGKILL to whatever is still running after {@code grace}.
     *
     * @return the processes that had to be killed
     */
    static List<String> stopAll(List<ManagedProcess> processes, Duration grace) {
        List<String> killed = new ArrayList<>();
        List<ProcessHandle> handles = new ArrayList<>();
        for (ManagedProcess p : processes) {
            // Descendants first collected, while the parent still links them.
            Stream.concat(Stream.of(p.process.toHandle()), p.process.toHandle().descendants())
                    .filter(ProcessHandle::isAlive)
                    .forEach(handles::add);
        }
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : handles) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Timed out (or could not wait): the SIGKILL below handles it.
            }
            if (handle.isAlive()) {
                killed.add(handle.pid() + " " + handle.info().command().orElse("?"));
                handle.destroyForcibly();
            }
        }
        for (ProcessHandle handle : handles) {
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // A process that survives SIGKILL for 5 s is beyond our reach; nothing more to do.
            }
        }
        return killed;
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
