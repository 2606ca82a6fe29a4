package dev.outpost.hub.auth.oidc;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;

/** OIDC bearer tokens for the REST API, under {@code outpost.oidc.} (docs/api.md#oidc-bearer-tokens). */
@ConfigurationProperties("outpost.oidc")
public interface OidcConfig {
    /** The issuer tokens must name (iss), e.g. https://login.vendor.example/realms/ops; unset: OIDC is off. */
    @Nullable
    String getIssuer();

    /** The audience tokens must carry (aud); required with the issuer. */
    @Nullable
    String getAudience();

    /** Where the issuer's signing keys are; unset: read from {@code <issuer>/.well-known/openid-configuration}. */
    @Nullable
    URI getJwksUri();

    /** The claim holding the Outpost role (admin, operator, sre, billing, tenant-admin, tenant-viewer). */
    @Bindable(defaultValue = "outpost_role")
    String getRoleClaim();

    /** The claim holding the tenant id, for the tenant roles. */
    @Bindable(defaultValue = "outpost_tenant")
    String getTenantClaim();
}
