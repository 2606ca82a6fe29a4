package dev.outpost.agent.commands;

import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.CommandResult;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the dispatcher sends; can pretend the stream is down or broken. */
final class FakeHubOutlet implements HubOutlet {
    final List<AgentMessage> sent = new CopyOnWriteArrayList<>();
    volatile boolean connected = true;
    /** Sends throw, as gRPC does on a call that was cancelled under the sender. */
    volatile boolean broken;

    List<CommandResult> results() {
        return sent.stream().filter(AgentMessage::hasResult).map(AgentMessage::getResult).toList();
    }

    @Override
    public boolean send(AgentMessage message) {
        if (broken) {
            throw new IllegalStateException("call was cancelled");
        }
        if (connected) {
            sent.add(message);
        }
        return connected;
    }

    @Override
    public boolean sendIfReady(AgentMessage message) {
        return send(message);
    }
}
