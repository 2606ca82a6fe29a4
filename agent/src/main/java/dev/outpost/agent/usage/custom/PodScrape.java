package dev.outpost.agent.usage.custom;

import java.util.Optional;

/**
 * What one scrape of a pod gave: the pod (uid, name, when it started, its container restarts), what it
 * declared, and its page, or why there is none (the pod did not answer, answered an error, too much).
 */
public record PodScrape(String podUid, String podName, long startedAtMs, long restarts, MeterAnnotations.ScrapeTarget target,
        Optional<PrometheusText.Page> page, Optional<String> failure) {
}
