package dev.outpost.hub.logs;

/** What one LogBatch did: lines stored now, lines the hub had already, dropped lines counted now. */
public record LogIngestResult(int stored, int duplicates, long droppedCounted) {
}
