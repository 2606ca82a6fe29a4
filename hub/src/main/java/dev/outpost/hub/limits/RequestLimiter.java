package dev.outpost.hub.limits;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Per-replica request rates of the REST API: one bucket per API token and one per tenant (all its
 * tokens together), so one busy script cannot starve the others; and one per client address for
 * requests whose token is missing or unknown, so guessing tokens is slow and costs no database
 * work once refused; and one per address for agents' Enroll calls at the gateway. Bounded: at most {@link #MAX_KEYS} buckets of each kind, the least recently
 * used dropped first (a dropped bucket starts full again).
 */
@Singleton
public class RequestLimiter {
    static final int MAX_KEYS = 10_000;

    private final RateLimitConfig config;
    private final Clock clock;
    private final Map<String, TokenBucket> tokens = lru();
    private final Map<String, TokenBucket> tenants = lru();
    private final Map<String, TokenBucket> failures = lru();
    private final Map<String, TokenBucket> enrolments = lru();

    public RequestLimiter(RateLimitConfig config, Clock clock) {
        check(config);
        this.config = config;
        this.clock = clock;
    }

    /**
     * Takes one request made with API token {@code tokenId} of {@code tenantId} (null for the admin):
     * empty when it may go on, else how long it should wait.
     */
    public synchronized Optional<Duration> admit(String tokenId, String tenantId) {
        if (!config.isEnabled()) {
            return Optional.empty();
        }
        TokenBucket token = bucket(tokens, tokenId,
                () -> new TokenBucket(clock, config.getPerTokenBurst(), config.getPerToken()));
        TokenBucket tenant = tenantId == null ? null : bucket(tenants, tenantId,
                () -> new TokenBucket(clock, config.getPerTenantBurst(), config.getPerTenant()));
        // Both are checked before either is taken from: a refused request costs neither bucket.
        if (!token.hasToken()) {
            return Optional.of(token.untilNext());
        }
        if (tenant != null && !tenant.hasToken()) {
            return Optional.of(tenant.untilNext());
        }
        token.tryTake();
        if (tenant != null) {
            tenant.tryTake();
        }
        return Optional.empty();
    }

    /** Whether {@code address} has used up its requests with bad tokens: empty when not, else how long it waits. */
    public synchronized Optional<Duration> refusedAddress(String address) {
        if (!config.isEnabled()) {
            return Optional.empty();
        }
        TokenBucket bucket = failures.get(address);
        return bucket == null || bucket.hasToken() ? Optional.empty() : Optional.of(bucket.untilNext());
    }

    /** Counts a request with a missing or unknown token from {@code address}. */
    public synchronized void failedFrom(String address) {
        if (config.isEnabled()) {
            bucket(failures, address, () -> new TokenBucket(clock, config.getFailedAuthBurst(),
                    config.getFailedAuthPerAddress())).tryTake();
        }
    }

    /**
     * Takes one Enroll call from {@code address}: empty when it may go on, else how long it should wait.
     * Every call counts, granted or refused: each costs a signature and a transaction.
     */
    public synchronized Optional<Duration> enrolmentFrom(String address) {
        if (!config.isEnabled()) {
            return Optional.empty();
        }
        TokenBucket bucket = bucket(enrolments, address, () -> new TokenBucket(clock, config.getEnrolmentBurst(),
                config.getEnrolmentsPerAddress()));
        return bucket.tryTake() ? Optional.empty() : Optional.of(bucket.untilNext());
    }

    private static TokenBucket bucket(Map<String, TokenBucket> buckets, String key, Supplier<TokenBucket> fresh) {
        return buckets.computeIfAbsent(key, k -> fresh.get());
    }

    private static Map<String, TokenBucket> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
                return size() > MAX_KEYS;
            }
        };
    }

    private static void check(RateLimitConfig config) {
        if (!(config.getPerToken() > 0) || !(config.getPerTenant() > 0) || !(config.getFailedAuthPerAddress() > 0)
                || !(config.getEnrolmentsPerAddress() > 0) || config.getPerTokenBurst() < 1
                || config.getPerTenantBurst() < 1 || config.getFailedAuthBurst() < 1 || config.getEnrolmentBurst() < 1) {
            throw new IllegalArgumentException("outpost.rate-limits: every rate must be above 0 and every burst at "
                    + "least 1 (turn them off with outpost.rate-limits.enabled=false)");
        }
    }
}
