package dev.outpost.hub.testsupport;

import dev.outpost.hub.limits.RateLimitConfig;

/** Rate limits fixed in a test (in-memory config for logic tests and gateway tests without Micronaut). */
public record FixedRateLimits(boolean enabled, double perToken, int perTokenBurst, double perTenant, int perTenantBurst,
        double failedAuthPerAddress, int failedAuthBurst, double enrolmentsPerAddress, int enrolmentBurst)
        implements RateLimitConfig {

    /** Every limit off. */
    public static final FixedRateLimits OFF = new FixedRateLimits(false, 1, 1, 1, 1, 1, 1, 1, 1);

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public double getPerToken() {
        return perToken;
    }

    @Override
    public int getPerTokenBurst() {
        return perTokenBurst;
    }

    @Override
    public double getPerTenant() {
        return perTenant;
    }

    @Override
    public int getPerTenantBurst() {
        return perTenantBurst;
    }

    @Override
    public double getFailedAuthPerAddress() {
        return failedAuthPerAddress;
    }

    @Override
    public int getFailedAuthBurst() {
        return failedAuthBurst;
    }

    @Override
    public double getEnrolmentsPerAddress() {
        return enrolmentsPerAddress;
    }

    @Override
    public int getEnrolmentBurst() {
        return enrolmentBurst;
    }
}
