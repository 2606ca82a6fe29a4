package dev.outpost.hub.packages;

/** One way a deployment's parameters break the package's JSON Schema; {@code pointer} is a JSON pointer. */
public record ParameterViolation(String pointer, String message) {
}
