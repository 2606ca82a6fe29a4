package dev.outpost.agent.commands;

import dev.outpost.protocol.v1.AgentMessage;

/** Where command progress and results go: the control stream that is open now, if any. */
public interface HubOutlet {

    /** Sends on the current stream; false when there is none (the hub will re-send the command later). */
    boolean send(AgentMessage message);

    /** Sends only if the stream can take it now; for progress, which a later report supersedes. */
    boolean sendIfReady(AgentMessage message);
}
