package dev.outpost.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeBinariesTest {

    @TempDir
    Path dir;

    @Test
    void missingBinaryFailsWithTheFolderAndHowToBuildIt() {
        assertThatThrownBy(() -> KubeBinaries.in(dir).require("kube-apiserver"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("kube-apiserver not found in " + dir + ": run e2e/cluster/build.sh");
    }

    @Test
    void findsAnExecutableBinary() throws Exception {
        Path etcd = Files.createFile(dir.resolve("etcd"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThat(KubeBinaries.in(dir).require("etcd")).isEqualTo(etcd);
    }

    @Test
    void systemPropertyWinsOverEverythingElse() {
        String before = System.getProperty(KubeBinaries.BIN_PROPERTY);
        System.setProperty(KubeBinaries.BIN_PROPERTY, dir.toString());
        try {
            assertThat(KubeBinaries.locate().dir()).isEqualTo(dir);
        } finally {
            if (before == null) {
                System.clearProperty(KubeBinaries.BIN_PROPERTY);
            } else {
                System.setProperty(KubeBinaries.BIN_PROPERTY, before);
            }
        }
    }

    @Test
    void defaultsToTheBuildCacheOfTheRepository() {
        // Run from test-cluster/ (or the repo root): either way the repository is found above cwd.
        if (System.getProperty(KubeBinaries.BIN_PROPERTY) == null && System.getenv(KubeBinaries.BIN_ENV) == null
                && System.getenv(KubeBinaries.CACHE_ENV) == null) {
            assertThat(KubeBinaries.resolveDir()).endsWith(Path.of("e2e/cluster/.cache/bin"));
        }
    }
}
