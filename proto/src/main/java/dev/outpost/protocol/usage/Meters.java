package dev.outpost.protocol.usage;

import java.util.List;
import java.util.regex.Pattern;

/** The meters every agent measures, and the rules for meter names and units. */
public final class Meters {
    /** Requested CPU of a deployment's running pods, in cores, times the window's seconds. */
    public static final Meter CPU_REQUESTED = new Meter("cpu.requested.core-seconds", "core-second");
    /** Requested memory of a deployment's running pods, in GiB, times the window's seconds. */
    public static final Meter MEMORY_REQUESTED = new Meter("memory.requested.gib-seconds", "GiB-second");
    /** Capacity of a deployment's bound PersistentVolumeClaims, in GiB, times the window's hours. */
    public static final Meter STORAGE_BOUND = new Meter("storage.bound.gib-hours", "GiB-hour");
    /** A deployment's running pods times the window's hours. */
    public static final Meter PODS_RUNNING = new Meter("pods.running.pod-hours", "pod-hour");
    /**
     * CPU the deployment's running pods use, as the cluster's metrics API reports it (cores, a rate over
     * its last scrapes) at the window's end, times the window's seconds. Only where that API answers.
     */
    public static final Meter CPU_USED = new Meter("cpu.used.core-seconds", "core-second");
    /** Memory (working set) the deployment's running pods use per the metrics API, in GiB, times the window's seconds. */
    public static final Meter MEMORY_USED = new Meter("memory.used.gib-seconds", "GiB-second");
    /** The meters of actual use, recorded for a window only when the cluster's metrics API answered for it. */
    public static final List<Meter> ACTUAL_USE = List.of(CPU_USED, MEMORY_USED);
    /** The built-in meters, in the order agents report them. */
    public static final List<Meter> BUILT_IN = List.of(CPU_REQUESTED, MEMORY_REQUESTED, STORAGE_BOUND, PODS_RUNNING);

    /** Longest meter name. */
    public static final int MAX_METER_CHARS = 100;
    /** Longest unit. */
    public static final int MAX_UNIT_CHARS = 40;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Meters() {
    }

    /** A meter: what it measures and the unit of its quantities. */
    public record Meter(String name, String unit) {
    }

    /** Whether {@code name} is a well-formed meter name. */
    public static boolean validName(String name) {
        return name != null && name.length() <= MAX_METER_CHARS && NAME.matcher(name).matches();
    }

    /** Whether {@code unit} is a well-formed unit. */
    public static boolean validUnit(String unit) {
        return unit != null && unit.length() <= MAX_UNIT_CHARS && UNIT.matcher(unit).matches();
    }
}
