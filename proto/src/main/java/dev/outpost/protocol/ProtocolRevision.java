package dev.outpost.protocol;

/** Revisions of the outpost.v1 protocol that this build speaks. */
public final class ProtocolRevision {
    /** The revision of the .proto files in this module; Hello and Welcome carry it. */
    public static final int CURRENT = 2;

    /** The first revision with package plans (DeploymentPlan) and drift reports. */
    public static final int PLANS = 2;

    private ProtocolRevision() {
    }

    /** The revision two peers use: the lower of the two, since both understand it. */
    public static int negotiate(int peerRevision) {
        return peerRevision <= 0 ? CURRENT : Math.min(CURRENT, peerRevision);
    }
}
