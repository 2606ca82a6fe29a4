package dev.outpost.e2e.telemetry;

import dev.outpost.testcluster.CriLogFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test workload's output: appends numbered lines to the CRI log file kwok serves as one pod's log,
 * at a steady rate, and remembers every line it wrote (what "produced" means in the log e2e).
 */
final class PodLogWriter implements AutoCloseable {
    /** Pads lines, so a small agent buffer overflows within seconds of a cut. */
    private static final String PADDING = "x".repeat(120);
    private final String pod;
    private final Path file;
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "log-writer");
        thread.setDaemon(true);
        return thread;
    });
    private int next;

    PodLogWriter(String pod, Path file) {
        this.pod = pod;
        this.file = file;
        CriLogFile.appendStdout(file, line());
    }

    /** Writes {@code linesPerTick} lines every {@code tickMillis} until {@link #close()}. */
    PodLogWriter start(int linesPerTick, long tickMillis) {
        timer.scheduleAtFixedRate(() -> {
            String[] lines = new String[linesPerTick];
            for (int i = 0; i < linesPerTick; i++) {
                lines[i] = line();
            }
            CriLogFile.appendStdout(file, lines);
        }, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Appends one line now, e.g. a marker for the live tail. */
    synchronized void writeNow(String text) {
        written.add(text);
        CriLogFile.appendStdout(file, text);
    }

    private synchronized String line() {
        String text = "%s line %06d %s".formatted(pod, next++, PADDING);
        written.add(text);
        return text;
    }

    String pod() {
        return pod;
    }

    Path file() {
        return file;
    }

    /** Every line written so far, in order. */
    List<String> written() {
        return List.copyOf(written);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
