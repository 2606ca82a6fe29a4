package dev.outpost.hub.packages.manifest;

import java.util.List;

/**
 * One component of a package: what it carries out, what it waits for, and how it is judged healthy.
 *
 * @param name      unique in the package, a DNS label; becomes the plan step's name
 * @param dependsOn components that must be healthy before this one starts
 * @param gate      the health gate; never null (defaults applied by the parser)
 * @param work      the chart, manifests or infrastructure requirement
 */
public record ComponentSpec(String name, List<String> dependsOn, GateSpec gate, ComponentWork work) {
}
