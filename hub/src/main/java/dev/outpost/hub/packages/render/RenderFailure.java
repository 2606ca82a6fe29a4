package dev.outpost.hub.packages.render;

/** A component did not render; {@code file} is the path inside the package the failure is about. */
public final class RenderFailure extends Exception {
    private final String file;

    public RenderFailure(String file, String message) {
        super(message);
        this.file = file;
    }

    /** The package file the failure is about (a chart template, a manifests file, outpost.yaml). */
    public String file() {
        return file;
    }
}
