package dev.outpost.hub.packages.archive;

import dev.outpost.hub.packages.PackageProblem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Unpacks an uploaded package ({@code .tgz}) into a directory, refusing anything that could escape it
 * or exhaust the hub: absolute paths, {@code ..}, links pointing outside, device files, and archives
 * past {@link ArchiveLimits}. Links inside the package are materialised as copies of the file they name,
 * so nothing on disk is a link.
 */
public final class SafeUnpacker {
    /** The manifest every package has at its root. */
    public static final String MANIFEST = "outpost.yaml";

    private SafeUnpacker() {
    }

    /** Unpacks {@code archive} into {@code target} (an empty directory) and finds the package root. */
    public static UnpackedArchive unpack(byte[] archive, Path target, ArchiveLimits limits) {
        List<PackageProblem> problems = new ArrayList<>();
        if (archive.length > limits.maxCompressedBytes()) {
            problems.add(new PackageProblem("", "the archive is " + archive.length + " bytes; at most "
                    + limits.maxCompressedBytes() + " are allowed"));
            return new UnpackedArchive(null, problems);
        }
        if (archive.length < 2 || (archive[0] & 0xff) != 0x1f || (archive[1] & 0xff) != 0x8b) {
            problems.add(new PackageProblem("", "not a gzip'ed tar archive (.tgz)"));
            return new UnpackedArchive(null, problems);
        }
        Set<String> files = new HashSet<>();
        Map<String, String> links = new LinkedHashMap<>(); // entry -> target, both normalised archive paths
        long bound = limits.maxUnpackedBytes() + (long) limits.maxEntries() * 3 * 512 + (1 << 20);
        try (InputStream in = new BoundedInputStream(new GZIPInputStream(new ByteArrayInputStream(archive)), bound)) {
            TarReader tar = new TarReader(in);
            long unpacked = 0;
            int entries = 0;
            for (TarEntry entry = tar.next(); entry != null; entry = tar.next()) {
                if (++entries > limits.maxEntries()) {
                    problems.add(new PackageProblem("", "the archive has more than " + limits.maxEntries() + " entries"));
                    break;
                }
                String path = normalise(entry.path());
                String problem = pathProblem(entry.path(), path, limits);
                if (problem == null) {
                    problem = typeProblem(entry);
                }
                if (problem != null) {
                    problems.add(new PackageProblem(entry.path(), problem));
                    continue;
                }
                if (path.isEmpty()) {
                    continue; // the archive's "./" entry
                }
                switch (entry.type()) {
                    case DIRECTORY -> Files.createDirectories(inside(target, path));
                    case FILE -> {
                        unpacked += entry.size();
                        if (unpacked > limits.maxUnpackedBytes()) {
                            problems.add(new PackageProblem(entry.path(), "the archive unpacks to more than "
                                    + limits.maxUnpackedBytes() + " bytes"));
                            return new UnpackedArchive(null, problems);
                        }
                        if (!files.add(path) || links.containsKey(path)) {
                            problems.add(new PackageProblem(entry.path(), "appears twice in the archive"));
                            continue;
                        }
                        write(tar, inside(target, path));
                    }
                    case SYMLINK, HARDLINK -> {
                        String linkTarget = linkTarget(entry, path);
                        if (linkTarget == null) {
                            problems.add(new PackageProblem(entry.path(), "is a link to '" + entry.linkTarget()
                                    + "', which is outside the package"));
                        } else if (files.contains(path) || links.putIfAbsent(path, linkTarget) != null) {
                            problems.add(new PackageProblem(entry.path(), "appears twice in the archive"));
                        }
                    }
                    default -> throw new IllegalStateException("unreachable: " + entry.type());
                }
            }
        } catch (ZipException e) {
            problems.add(new PackageProblem("", "not a gzip'ed tar archive (.tgz): " + e.getMessage()));
            return new UnpackedArchive(null, problems);
        } catch (IOException e) {
            problems.add(new PackageProblem("", "cannot read the archive: " + e.getMessage()));
            return new UnpackedArchive(null, problems);
        }
        materialiseLinks(target, files, links, problems);
        if (!problems.isEmpty()) {
            return new UnpackedArchive(null, problems);
        }
        return findRoot(target, files, problems);
    }

    /** The package root: the archive's root, or its single top-level directory, holding outpost.yaml. */
    private static UnpackedArchive findRoot(Path target, Set<String> files, List<PackageProblem> problems) {
        if (files.contains(MANIFEST)) {
            return new UnpackedArchive(target, problems);
        }
        Set<String> topLevel = new HashSet<>();
        for (String file : files) {
            topLevel.add(file.contains("/") ? file.substring(0, file.indexOf('/')) : file);
        }
        if (topLevel.size() == 1) {
            String top = topLevel.iterator().next();
            if (files.contains(top + "/" + MANIFEST)) {
                return new UnpackedArchive(target.resolve(top), problems);
            }
        }
        problems.add(new PackageProblem(MANIFEST, "not found: a package has outpost.yaml at its root, or under "
                + "exactly one top-level directory"));
        return new UnpackedArchive(null, problems);
    }

    /** Copies each link's target file to the link's place; links to directories are refused. */
    private static void materialiseLinks(Path target, Set<String> files, Map<String, String> links,
                                         List<PackageProblem> problems) {
        for (Map.Entry<String, String> link : links.entrySet()) {
            String resolved = link.getValue();
            Set<String> seen = new HashSet<>();
            while (links.containsKey(resolved) && seen.add(resolved)) {
                resolved = links.get(resolved); // a link to a link
            }
            if (!files.contains(resolved)) {
                problems.add(new PackageProblem(link.getKey(), "is a link to '" + link.getValue()
                        + "', which is not a file of the package (links to directories are not supported)"));
                continue;
            }
            try {
                Path to = inside(target, link.getKey());
                Files.createDirectories(to.getParent());
                Files.copy(inside(target, resolved), to, StandardCopyOption.REPLACE_EXISTING);
                files.add(link.getKey());
            } catch (IOException e) {
                problems.add(new PackageProblem(link.getKey(), "cannot be unpacked: " + e.getMessage()));
            }
        }
    }

    private static void write(TarReader tar, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            tar.content().transferTo(out);
        }
    }

    /** The link's target as a normalised archive path, or null when it leaves the package. */
    private static String linkTarget(TarEntry entry, String path) {
        String raw = entry.linkTarget() == null ? "" : entry.linkTarget();
        if (raw.isEmpty() || raw.startsWith("/") || raw.contains("\\") || raw.matches("^[A-Za-z]:.*")) {
            return null;
        }
        if (entry.type() == TarEntry.Type.HARDLINK) {
            return resolve("", raw);
        }
        String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        return resolve(parent, raw);
    }

    /** {@code relative} resolved against directory {@code base}; null when it climbs above the root. */
    private static String resolve(String base, String relative) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : (base + "/" + relative).split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** The entry path without a leading "./" and trailing "/". */
    static String normalise(String path) {
        String p = path;
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals(".") ? "" : p;
    }

    private static String pathProblem(String raw, String path, ArchiveLimits limits) {
        if (raw.length() > limits.maxPathChars()) {
            return "has a path longer than " + limits.maxPathChars() + " characters";
        }
        if (raw.startsWith("/") || raw.matches("^[A-Za-z]:.*")) {
            return "has an absolute path; package entries must be relative";
        }
        if (raw.contains("\\")) {
            return "has a backslash in its path; use '/'";
        }
        if (raw.indexOf('\0') >= 0 || raw.chars().anyMatch(Character::isISOControl)) {
            return "has a control character in its path";
        }
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                return "has '..' in its path; package entries must stay inside the package";
            }
        }
        return null;
    }

    private static String typeProblem(TarEntry entry) {
        return switch (entry.type()) {
            case DEVICE -> "is a device file; a package holds only files, directories and links inside it";
            case FIFO -> "is a named pipe; a package holds only files, directories and links inside it";
            case OTHER -> "is a tar entry of an unsupported type; a package holds only files, directories and links";
            default -> null;
        };
    }

    /** {@code path} under {@code root}, checked once more against escaping it. */
    private static Path inside(Path root, String path) throws IOException {
        Path resolved = root.resolve(path).normalize();
        if (!resolved.startsWith(root.normalize())) {
            throw new IOException("entry " + path + " leaves the package");
        }
        return resolved;
    }

    /** Stops reading past {@code limit} bytes: a gzip bomb is not inflated further. */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                remaining -= n;
                if (remaining < 0) {
                    throw new IOException("the archive unpacks to more than its limit");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Read rather than skip so that skipped content counts against the bound.
            byte[] buffer = new byte[8192];
            long total = 0;
            while (total < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - total));
                if (r < 0) {
                    break;
                }
                total += r;
            }
            return total;
        }
    }
}
