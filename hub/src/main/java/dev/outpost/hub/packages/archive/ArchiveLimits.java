package dev.outpost.hub.packages.archive;

/**
 * Bounds on an uploaded package archive, so a hostile upload costs the hub a bounded amount of memory,
 * disk and time.
 *
 * @param maxCompressedBytes largest archive as uploaded (gzip'ed)
 * @param maxUnpackedBytes   largest total size of the files once unpacked
 * @param maxEntries         most entries (files, directories, links)
 * @param maxPathChars       longest entry path
 */
public record ArchiveLimits(long maxCompressedBytes, long maxUnpackedBytes, int maxEntries, int maxPathChars) {

    /** The limits of docs/packages.md: 20 MiB compressed, 100 MiB unpacked, 5000 entries, 1024-character paths. */
    public static final ArchiveLimits DEFAULT = new ArchiveLimits(20L << 20, 100L << 20, 5000, 1024);
}
