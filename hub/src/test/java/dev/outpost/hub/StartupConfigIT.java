package dev.outpost.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.auth.ApiTokenStore;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.config.HubConfig;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** How the hub starts: environment variables, the data directory, and the admin token. */
class StartupConfigIT {
    private static final Pattern BANNER = Pattern.compile("Admin API token \\(shown once\\): (opa_[a-z2-7]{32})");

    @TempDir
    Path temp;

    @Test
    void environmentVariablesConfigureTheHub() {
        Path dataDir = temp.resolve("from-env");
        String adminToken = "opa_" + "e".repeat(32);
        PropertySource env = PropertySource.of("test-env", Map.of(
                "OUTPOST_DATA_DIR", dataDir.toString(),
                "OUTPOST_ADMIN_TOKEN", adminToken,
                "OUTPOST_GRPC_PORT", "0"), PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE);

        try (ApplicationContext ctx = ApplicationContext.builder().propertySources(env).start()) {
            HubConfig config = ctx.getBean(HubConfig.class);
            assertThat(config.getDataDir()).isEqualTo(dataDir);
            assertThat(config.getGrpcPort()).isZero();
            assertThat(config.getDbUrl()).isEmpty();
            assertThat(Files.isDirectory(dataDir)).isTrue();
            assertThat(dataDir.resolve("outpost.mv.db")).exists();
            assertThat(ctx.getBean(ApiTokenStore.class).find(adminToken)).get().extracting(Caller::role).isEqualTo(dev.outpost.hub.access.Role.ADMIN);
        }
    }

    @Test
    void theFirstStartPrintsAGeneratedAdminTokenOnceAndAConfiguredOneReplacesIt() {
        Map<String, Object> props = Map.of("outpost.data-dir", temp.resolve("data").toString(),
                "outpost.grpc-port", "0");

        Started first = capturingStdout(() -> ApplicationContext.run(props));
        first.context.close();
        Matcher banner = BANNER.matcher(first.output);
        assertThat(banner.find()).as("banner in:\n" + first.output).isTrue();
        String generated = banner.group(1);

        Started second = capturingStdout(() -> ApplicationContext.run(props));
        try (ApplicationContext ctx = second.context) {
            assertThat(second.output).doesNotContain("Admin API token", generated);
            assertThat(ctx.getBean(ApiTokenStore.class).find(generated)).get().extracting(Caller::role).isEqualTo(dev.outpost.hub.access.Role.ADMIN);
        }

        String configured = "opa_" + "c".repeat(32);
        Map<String, Object> withToken = new HashMap<>(props);
        withToken.put("outpost.admin-token", configured);
        Started third = capturingStdout(() -> ApplicationContext.run(withToken));
        try (ApplicationContext ctx = third.context) {
            assertThat(third.output).doesNotContain("Admin API token", configured);
            ApiTokenStore tokens = ctx.getBean(ApiTokenStore.class);
            assertThat(tokens.find(configured)).get().extracting(Caller::role).isEqualTo(dev.outpost.hub.access.Role.ADMIN);
            assertThat(tokens.find(generated)).as("configuring a token retires the generated one").isEmpty();
        }

        // rotation: configuring another token retires the previous one
        String rotated = "opa_" + "r".repeat(32);
        withToken.put("outpost.admin-token", rotated);
        try (ApplicationContext ctx = ApplicationContext.run(withToken)) {
            ApiTokenStore tokens = ctx.getBean(ApiTokenStore.class);
            assertThat(tokens.find(rotated)).get().extracting(Caller::role).isEqualTo(dev.outpost.hub.access.Role.ADMIN);
            assertThat(tokens.find(configured)).isEmpty();
        }
    }

    private record Started(ApplicationContext context, String output) {
    }

    /** Runs {@code start} with stdout captured (logging is set up before, so it keeps the real stdout). */
    private static Started capturingStdout(Supplier<ApplicationContext> start) {
        LoggerFactory.getLogger(StartupConfigIT.class).info("starting a hub context with stdout captured");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ApplicationContext ctx;
        try {
            ctx = start.get();
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.print(output);
        return new Started(ctx, output);
    }
}
