package dev.outpost.hub.gateway;

import dev.outpost.hub.deployments.CommandOutbox;
import dev.outpost.hub.deployments.CommandStore;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The command outbox as an ordered map; records sends, progress and results. Like the real one, it
 * deals only with the environment's current agent (as the presence fake knows it).
 */
final class InMemoryCommandOutbox implements CommandOutbox {
    private record Entry(String environmentId, Command command) {
    }

    /** Holds the next {@link #unanswered} after it has read the list, until released. */
    record Pause(CountDownLatch reached, CountDownLatch release) {
    }

    private final InMemoryAgentPresence presence;
    private final Map<String, Entry> queued = new LinkedHashMap<>();
    private final Map<String, CommandResult> results = new LinkedHashMap<>();
    private volatile Pause pause;
    final AtomicInteger reads = new AtomicInteger();
    /** Every result handed in, taken or ignored: tells a test that the gateway has handled one. */
    final AtomicInteger resultsHandedIn = new AtomicInteger();
    final List<String> sends = new CopyOnWriteArrayList<>();
    final List<CommandProgress> progress = new CopyOnWriteArrayList<>();

    InMemoryCommandOutbox(InMemoryAgentPresence presence) {
        this.presence = presence;
    }

    synchronized void queue(String environmentId, Command command) {
        queued.put(command.getCommandId(), new Entry(environmentId, command));
    }

    synchronized CommandResult resultOf(String commandId) {
        return results.get(commandId);
    }

    long sendsOf(String commandId) {
        return sends.stream().filter(s -> s.startsWith(commandId + " ")).count();
    }

    /** Makes the next read wait, with what it read, until the returned pause is released. */
    Pause pauseNextRead() {
        Pause next = new Pause(new CountDownLatch(1), new CountDownLatch(1));
        pause = next;
        return next;
    }

    @Override
    public List<CommandStore.Withdrawal> withdrawals(String environmentId, String agentId, int limit) {
        return List.of(); // approval holds are tested on the real outbox
    }

    @Override
    public List<Command> unanswered(String environmentId, String agentId, int limit) {
        List<Command> result = new ArrayList<>();
        synchronized (this) {
            for (Entry entry : queued.values()) {
                if (entry.environmentId().equals(environmentId) && !results.containsKey(entry.command().getCommandId())
                        && result.size() < limit && presence.isCurrent(agentId, environmentId)) {
                    result.add(entry.command());
                }
            }
        }
        reads.incrementAndGet();
        Pause current = pause;
        if (current != null) {
            pause = null;
            current.reached().countDown();
            try {
                current.release().await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return result;
    }

    @Override
    public synchronized Set<String> environmentsWithQueued() {
        Set<String> environments = new HashSet<>();
        queued.values().stream().filter(e -> sendsOf(e.command().getCommandId()) == 0)
                .forEach(e -> environments.add(e.environmentId()));
        return environments;
    }

    @Override
    public void markSent(String commandId, String agentId) {
        sends.add(commandId + " " + agentId);
    }

    @Override
    public void progress(String environmentId, String agentId, CommandProgress report) {
        if (presence.isCurrent(agentId, environmentId)) {
            progress.add(report);
        }
    }

    @Override
    public synchronized void result(String environmentId, String agentId, CommandResult result) {
        resultsHandedIn.incrementAndGet();
        Entry entry = queued.get(result.getCommandId());
        if (entry != null && entry.environmentId().equals(environmentId) && presence.isCurrent(agentId, environmentId)) {
            results.putIfAbsent(result.getCommandId(), result);
        }
    }
}
