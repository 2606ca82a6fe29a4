package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the hub is told of the cluster's APIs: sorted, unique, well-formed and bounded by the protocol. */
class ApiVersionFactsTest {

    @Test
    void groupVersionsAreSortedWithoutDuplicatesOrMalformedEntries() {
        assertThat(ApiVersionFacts.bounded(List.of("apps/v1", "v1", "monitoring.coreos.com/v1", "apps/v1",
                "batch/v1", "Bad Group/v1", "x/", "evil/v1\nline", "")))
                .containsExactly("apps/v1", "batch/v1", "monitoring.coreos.com/v1", "v1");
    }

    @Test
    void atMostTheProtocolsNumberOfEntriesEachAtMostItsLength() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < GrpcLimits.MAX_API_VERSIONS + 100; i++) {
            many.add(String.format("g%04d.example.com/v1", i));
        }
        String tooLong = "a".repeat(GrpcLimits.MAX_API_VERSION_CHARS) + "/v1";
        many.add(tooLong);

        List<String> bounded = ApiVersionFacts.bounded(many);

        assertThat(bounded).hasSize(GrpcLimits.MAX_API_VERSIONS).doesNotContain(tooLong).isSorted();
        assertThat(bounded.getFirst()).isEqualTo("g0000.example.com/v1");
    }
}
