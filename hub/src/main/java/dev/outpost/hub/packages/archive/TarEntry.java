package dev.outpost.hub.packages.archive;

/**
 * One entry of a tar stream, with its long name and link target already resolved (GNU and pax).
 *
 * @param path       the entry's path as written in the archive
 * @param type       what the entry is
 * @param size       the length of its content (files only)
 * @param linkTarget where a link points, as written; null for anything but links
 */
record TarEntry(String path, Type type, long size, String linkTarget) {

    /** The kinds of entries a package may hold, and the ones it may not. */
    enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, DEVICE, FIFO, OTHER }
}
