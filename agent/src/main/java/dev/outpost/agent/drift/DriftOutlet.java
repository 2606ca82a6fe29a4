package dev.outpost.agent.drift;

import dev.outpost.protocol.v1.DriftReport;

/** Where drift reports go: the control stream, when one is open and welcomed. */
@FunctionalInterface
public interface DriftOutlet {
    /** Sends the report; false when no stream is open (it is sent again after the next Welcome). */
    boolean send(DriftReport report);
}
