package dev.outpost.hub.packages.manifest;

import java.util.Map;

/**
 * One plan (tier) of a package.
 *
 * @param name              the plan's name
 * @param values            what {@code {{ plan.x }}} refers to
 * @param quota             ResourceQuota hard limits, resource name to quantity
 * @param containerDefaults LimitRange default container limits ({@code cpu}, {@code memory})
 */
public record PlanSpec(String name, Map<String, Object> values, Map<String, String> quota,
                       Map<String, String> containerDefaults) {
}
