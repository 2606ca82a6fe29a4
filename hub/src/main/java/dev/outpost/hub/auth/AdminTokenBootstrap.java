package dev.outpost.hub.auth;

import dev.outpost.hub.config.HubConfig;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure an admin token exists: the configured one (OUTPOST_ADMIN_TOKEN) is accepted on every
 * start and is then the only admin token (configuring a new one rotates the old out); without one,
 * the first start generates a token and prints it once to stdout.
 */
@Singleton
public class AdminTokenBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokenBootstrap.class);
    /** Prefix of admin tokens the hub generates. */
    public static final String ADMIN_PREFIX = "opa_";
    private static final int WEAK_TOKEN_CHARS = 24;

    private final HubConfig config;
    private final ApiTokenStore tokens;
    private final PrintStream console;

    public AdminTokenBootstrap(HubConfig config, ApiTokenStore tokens) {
        this(config, tokens, System.out);
    }

    AdminTokenBootstrap(HubConfig config, ApiTokenStore tokens, PrintStream console) {
        this.config = config;
        this.tokens = tokens;
        this.console = console;
    }

    /** Runs once the application context is up (the database is migrated by then). */
    @EventListener
    public void onStartup(StartupEvent event) {
        ensureAdminToken();
    }

    void ensureAdminToken() {
        if (config.getAdminToken().isPresent()) {
            String configured = config.getAdminToken().get();
            if (configured.length() < WEAK_TOKEN_CHARS) {
                LOG.warn("the configured admin token is shorter than {} characters; use a long random one", WEAK_TOKEN_CHARS);
            }
            int retired = tokens.replaceAdminTokens(configured, "configured admin token");
            LOG.info("admin token from configuration accepted");
            if (retired > 0) {
                LOG.info("{} other admin token(s) retired: only the configured one is accepted now", retired);
            }
            return;
        }
        if (tokens.hasAdminToken()) {
            return;
        }
        String token = Secrets.secret(ADMIN_PREFIX);
        tokens.addAdminToken(token, "generated admin token");
        // Deliberately stdout, not the log: the secret is shown once and must not land in log files.
        console.println("==================================================================");
        console.println(" Admin API token (shown once): " + token);
        console.println(" Store it now; only its hash is kept.");
        console.println("==================================================================");
        console.flush();
    }
}
