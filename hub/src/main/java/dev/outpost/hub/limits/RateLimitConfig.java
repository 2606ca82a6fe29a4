package dev.outpost.hub.limits;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How fast the REST API answers one caller, and how often one address may enrol agents, under
 * {@code outpost.rate-limits.} (docs/configuration.md).
 * Each replica counts on its own: with n replicas behind a balancer a caller gets up to n times these.
 */
@ConfigurationProperties("outpost.rate-limits")
public interface RateLimitConfig {
    /** Off: no request is refused for its rate (tests, benchmarks). */
    @Bindable(defaultValue = "true")
    boolean isEnabled();

    /** Requests per second one API token may make, sustained. */
    @Bindable(defaultValue = "100")
    double getPerToken();

    /** Requests one API token may make at once, on top of the sustained rate. */
    @Bindable(defaultValue = "1000")
    int getPerTokenBurst();

    /** Requests per second all of one tenant's tokens together may make, sustained. */
    @Bindable(defaultValue = "200")
    double getPerTenant();

    /** Requests all of one tenant's tokens may make at once. */
    @Bindable(defaultValue = "2000")
    int getPerTenantBurst();

    /** Requests per second with a missing or unknown token one client address may make, sustained. */
    @Bindable(defaultValue = "0.5")
    double getFailedAuthPerAddress();

    /** Such requests one address may make at once before it is refused altogether for a while. */
    @Bindable(defaultValue = "30")
    int getFailedAuthBurst();

    /** Enroll calls per second one client address may make at the agent gateway, sustained. */
    @Bindable(defaultValue = "1")
    double getEnrolmentsPerAddress();

    /** Enroll calls one address may make at once (a customer installing many clusters behind one NAT). */
    @Bindable(defaultValue = "20")
    int getEnrolmentBurst();
}
