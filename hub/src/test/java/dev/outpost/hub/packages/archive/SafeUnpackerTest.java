package dev.outpost.hub.packages.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.PackageProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeUnpackerTest {
    private static final String MANIFEST = "service: x\n";

    @TempDir
    Path target;

    @Test
    void outpostYamlAtTheRootIsThePackageRoot() throws IOException {
        UnpackedArchive result = unpack(new TarBuilder().file("outpost.yaml", MANIFEST).file("./charts/a.yaml", "a").tgz());

        assertThat(result.ok()).isTrue();
        assertThat(result.root()).isEqualTo(target);
        assertThat(Files.readString(target.resolve("charts/a.yaml"))).isEqualTo("a");
    }

    @Test
    void outpostYamlUnderOneTopLevelDirectoryMakesItTheRoot() {
        UnpackedArchive result = unpack(new TarBuilder().directory("redis-1.0/").file("redis-1.0/outpost.yaml", MANIFEST).tgz());

        assertThat(result.root()).isEqualTo(target.resolve("redis-1.0"));
    }

    @Test
    void twoTopLevelDirectoriesWithoutARootManifestAreRefused() {
        UnpackedArchive result = unpack(new TarBuilder().file("a/outpost.yaml", MANIFEST).file("b/x", "x").tgz());

        assertThat(result.problems()).extracting(PackageProblem::file).containsExactly("outpost.yaml");
        assertThat(result.problems().getFirst().problem()).contains("exactly one top-level directory");
    }

    @Test
    void absolutePathsDotDotLinksOutsideAndDevicesAreEachRefusedNamingTheEntry() {
        UnpackedArchive result = unpack(new TarBuilder()
                .file("outpost.yaml", MANIFEST)
                .file("/etc/passwd", "x")
                .file("charts/../../escape", "x")
                .symlink("charts/up", "../../etc/shadow")
                .symlink("charts/abs", "/etc/shadow")
                .hardlink("charts/hard", "../outside")
                .device("dev/null")
                .tgz());

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).extracting(PackageProblem::file).containsExactly(
                "/etc/passwd", "charts/../../escape", "charts/up", "charts/abs", "charts/hard", "dev/null");
        assertThat(result.problems().get(0).problem()).contains("absolute path");
        assertThat(result.problems().get(1).problem()).contains("'..'");
        assertThat(result.problems().get(2).problem()).contains("outside the package");
        assertThat(result.problems().get(5).problem()).contains("device file");
        assertThat(target.getParent().resolve("escape")).doesNotExist();
    }

    @Test
    void aLinkInsideThePackageBecomesACopyOfItsFile() throws IOException {
        UnpackedArchive result = unpack(new TarBuilder()
                .file("outpost.yaml", MANIFEST)
                .file("charts/values.yaml", "v: 1")
                .symlink("charts/sub/values.yaml", "../values.yaml")
                .tgz());

        assertThat(result.ok()).isTrue();
        Path copy = target.resolve("charts/sub/values.yaml");
        assertThat(Files.isSymbolicLink(copy)).isFalse();
        assertThat(Files.readString(copy)).isEqualTo("v: 1");
    }

    @Test
    void aLinkToADirectoryIsRefused() {
        UnpackedArchive result = unpack(new TarBuilder()
                .file("outpost.yaml", MANIFEST).directory("charts/").symlink("other", "charts").tgz());

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("other");
            assertThat(p.problem()).contains("links to directories are not supported");
        });
    }

    @Test
    void tooManyEntriesAreRefused() {
        TarBuilder tar = new TarBuilder().file("outpost.yaml", MANIFEST);
        for (int i = 0; i < 5; i++) {
            tar.file("f" + i, "x");
        }

        UnpackedArchive result = SafeUnpacker.unpack(tar.tgz(), target, new ArchiveLimits(1 << 20, 1 << 20, 5, 100));

        assertThat(result.problems()).extracting(PackageProblem::problem).containsExactly("the archive has more than 5 entries");
    }

    @Test
    void anArchiveThatUnpacksPastTheLimitIsRefusedWithoutWritingIt() {
        byte[] bomb = new TarBuilder().file("outpost.yaml", MANIFEST).file("big", "0".repeat(4 << 20)).tgz();

        UnpackedArchive result = SafeUnpacker.unpack(bomb, target, new ArchiveLimits(1 << 20, 1 << 20, 100, 100));

        assertThat(bomb.length).isLessThan(1 << 20); // compresses well: only the unpacked size stops it
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("big");
            assertThat(p.problem()).contains("unpacks to more than 1048576 bytes");
        });
        assertThat(target.resolve("big")).doesNotExist();
    }

    @Test
    void aLargeUploadAndSomethingThatIsNotATgzAreRefused() {
        assertThat(SafeUnpacker.unpack(new byte[2048], target, new ArchiveLimits(1024, 1 << 20, 10, 100)).problems())
                .extracting(PackageProblem::problem).containsExactly("the archive is 2048 bytes; at most 1024 are allowed");
        assertThat(unpack("PK\3\4 a zip".getBytes(StandardCharsets.US_ASCII)).problems())
                .extracting(PackageProblem::problem).containsExactly("not a gzip'ed tar archive (.tgz)");
    }

    @Test
    void aDuplicateEntryIsRefused() {
        UnpackedArchive result = unpack(new TarBuilder().file("outpost.yaml", MANIFEST).file("outpost.yaml", "other").tgz());

        assertThat(result.problems()).singleElement().satisfies(p -> assertThat(p.problem()).isEqualTo("appears twice in the archive"));
    }

    @Test
    void packingIsDeterministicAndUnpacksToTheSameFiles(@TempDir Path source) throws IOException {
        Files.writeString(source.resolve("outpost.yaml"), MANIFEST);
        String longName = "charts/" + "deeply-nested-directory/".repeat(5) + "template-with-a-long-name.yaml";
        Files.createDirectories(source.resolve(longName).getParent());
        Files.writeString(source.resolve(longName), "kind: ConfigMap\n");

        byte[] first = PackageArchiver.pack(source);
        Files.setLastModifiedTime(source.resolve("outpost.yaml"), java.nio.file.attribute.FileTime.fromMillis(0));
        byte[] second = PackageArchiver.pack(source);
        UnpackedArchive result = unpack(first);

        assertThat(second).isEqualTo(first);
        assertThat(result.ok()).isTrue();
        assertThat(Files.readString(target.resolve(longName))).isEqualTo("kind: ConfigMap\n");
    }

    private UnpackedArchive unpack(byte[] archive) {
        return SafeUnpacker.unpack(archive, target, ArchiveLimits.DEFAULT);
    }
}
