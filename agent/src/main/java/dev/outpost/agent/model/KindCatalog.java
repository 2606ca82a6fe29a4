package dev.outpost.agent.model;

/** Tells the planner how the cluster serves a kind; the agent answers it from API discovery. */
@FunctionalInterface
public interface KindCatalog {
    KindScope scopeOf(String apiVersion, String kind);
}
