package dev.outpost.protocol;

/** Revisions of the outpost.v1 protocol that this build speaks. */
public final class ProtocolRevision {
    /** The revision of the .proto files in this module; Hello and Welcome carry it. */
    public static final int CURRENT = 3;

    /** The first revision with package plans (DeploymentPlan) and drift reports. */
    public static final int PLANS = 2;

    /** The first revision whose hub takes the agent's own log (LogSource.agent). */
    public static final int AGENT_OWN_LOG = 3;

    private ProtocolRevision() {
    }

    /** The revision two peers use: the lower of the two, since both understand it. */
    public static int negotiate(int peerRevision) {
        return peerRevision <= 0 ? CURRENT : Math.min(CURRENT, peerRevision);
    }
}
