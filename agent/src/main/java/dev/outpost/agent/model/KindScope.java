package dev.outpost.agent.model;

/** Whether the cluster serves a kind per namespace, for the whole cluster, or not at all. */
public enum KindScope {
    NAMESPACED,
    CLUSTER,
    /** The API server does not serve this kind in this apiVersion (e.g. a CRD that is not installed). */
    UNKNOWN
}
