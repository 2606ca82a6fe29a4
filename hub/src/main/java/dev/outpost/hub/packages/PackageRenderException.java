package dev.outpost.hub.packages;

/** A stored package could not be turned into a plan for a deployment (e.g. values that do not render). */
public final class PackageRenderException extends Exception {

    private final String component;

    public PackageRenderException(String component, String message, Throwable cause) {
        super(message, cause);
        this.component = component;
    }

    /** The component that failed, or null when the failure is not about one. */
    public String component() {
        return component;
    }
}
