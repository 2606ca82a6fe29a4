package dev.outpost.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseKindTest {

    @Test
    void tellsTheSupportedDatabasesApart() {
        assertThat(DatabaseKind.of("jdbc:postgresql://db:5432/outpost")).isEqualTo(DatabaseKind.POSTGRESQL);
        assertThat(DatabaseKind.of(DataSourceDefaults.h2Url(Path.of("/var/lib/outpost")))).isEqualTo(DatabaseKind.H2);
        assertThatThrownBy(() -> DatabaseKind.of("jdbc:mysql://db/outpost")).hasMessageContaining("jdbc:postgresql");
    }

    @Test
    void theEmbeddedDatabaseLivesInTheDataDirectory() {
        assertThat(DataSourceDefaults.h2Url(Path.of("/var/lib/outpost")))
                .startsWith("jdbc:h2:file:/var/lib/outpost/outpost;");
    }
}
