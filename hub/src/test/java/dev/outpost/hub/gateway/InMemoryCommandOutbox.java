package dev.outpost.hub.gateway;

import dev.outpost.hub.deployments.CommandOutbox;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The command outbox as an ordered map; records sends, progress and results. */
final class InMemoryCommandOutbox implements CommandOutbox {
    private record Entry(String environmentId, Command command) {
    }

    private final Map<String, Entry> queued = new LinkedHashMap<>();
    private final Map<String, CommandResult> results = new LinkedHashMap<>();
    final List<String> sends = new CopyOnWriteArrayList<>();
    final List<CommandProgress> progress = new CopyOnWriteArrayList<>();

    synchronized void queue(String environmentId, Command command) {
        queued.put(command.getCommandId(), new Entry(environmentId, command));
    }

    synchronized CommandResult resultOf(String commandId) {
        return results.get(commandId);
    }

    long sendsOf(String commandId) {
        return sends.stream().filter(s -> s.startsWith(commandId + " ")).count();
    }

    @Override
    public synchronized List<Command> unanswered(String environmentId, int limit) {
        List<Command> result = new ArrayList<>();
        for (Entry entry : queued.values()) {
            if (entry.environmentId().equals(environmentId) && !results.containsKey(entry.command().getCommandId())
                    && result.size() < limit) {
                result.add(entry.command());
            }
        }
        return result;
    }

    @Override
    public void markSent(String commandId, String agentId) {
        sends.add(commandId + " " + agentId);
    }

    @Override
    public void progress(String environmentId, CommandProgress report) {
        progress.add(report);
    }

    @Override
    public synchronized void result(String environmentId, CommandResult result) {
        Entry entry = queued.get(result.getCommandId());
        if (entry != null && entry.environmentId().equals(environmentId)) {
            results.putIfAbsent(result.getCommandId(), result);
        }
    }
}
