package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.model.ResourceDemand.StorageClaim;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StorageClassFitTest {
    private static final List<StorageClaim> CLAIMS = List.of(new StorageClaim("StatefulSet/redis", "data", "fast"),
            new StorageClaim("PersistentVolumeClaim/backups", "backups", null),
            new StorageClaim("PersistentVolumeClaim/static", "static", ""));

    @Test
    void aMissingClassAndAMissingDefaultAreEachNamed() {
        assertThat(StorageClassFit.problems(CLAIMS, Set.of("standard"), Optional.empty())).containsExactly(
                "volume claim data of StatefulSet/redis asks for storage class fast, which the cluster does not have (it has standard)",
                "volume claim backups of PersistentVolumeClaim/backups names no storage class and the cluster has no default"
                        + " one (it has standard): name a class in the parameters, or mark one default");
    }

    @Test
    void claimsFindTheirClassOrTheDefault() {
        assertThat(StorageClassFit.problems(CLAIMS, Set.of("standard", "fast"), Optional.of("standard"))).isEmpty();
    }
}
