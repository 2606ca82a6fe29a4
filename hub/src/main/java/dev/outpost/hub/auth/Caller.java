package dev.outpost.hub.auth;

import dev.outpost.hub.access.Role;
import dev.outpost.hub.api.ApiException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who is calling the REST API: a vendor role (sees every tenant) or a tenant role (sees only its own
 * tenant's objects; another tenant's objects look as if they did not exist), and the token it used.
 * What the role may do is checked per operation ({@link dev.outpost.hub.access.RouteCapabilities});
 * what it may see, here. {@code source} is the address the request came from (for the audit log),
 * null where there is none.
 */
public record Caller(String tokenId, Role role, String tenantId, String tokenName, String source) {

    public Caller {
        Objects.requireNonNull(role);
        if (role.vendor() != (tenantId == null)) {
            throw new IllegalArgumentException("role " + role.json() + (role.vendor() ? " has no tenant" : " needs a tenant"));
        }
    }

    /** The admin caller behind token {@code tokenId}. */
    public static Caller admin(String tokenId) {
        return new Caller(tokenId, Role.ADMIN, null, "admin", null);
    }

    /** A tenant administrator limited to {@code tenantId}, using the token named {@code tokenName}. */
    public static Caller tenant(String tokenId, String tenantId, String tokenName) {
        return new Caller(tokenId, Role.TENANT_ADMIN, Objects.requireNonNull(tenantId), tokenName, null);
    }

    /** The same caller, calling from {@code address}. */
    public Caller from(String address) {
        return new Caller(tokenId, role, tenantId, tokenName, address);
    }

    /** Whether the caller is the vendor's (any vendor role): it sees every tenant. */
    public boolean isVendor() {
        return tenantId == null;
    }

    /** Throws 403 unless the caller has a vendor role. */
    public void requireVendor() {
        if (!isVendor()) {
            throw ApiException.forbidden("only the vendor's tokens may do this");
        }
    }

    /** Whether the caller may see objects of {@code ownerTenantId}. */
    public boolean canSee(String ownerTenantId) {
        return isVendor() || tenantId.equals(ownerTenantId);
    }

    /**
     * The object if it was found and the caller may see it; otherwise 404 "{what} {id} not found",
     * the same answer for both so a tenant cannot probe for other tenants' ids.
     */
    public <T> T visible(Optional<T> found, Function<T, String> tenantOf, String what, String id) {
        return found.filter(object -> canSee(tenantOf.apply(object))).orElseThrow(() -> ApiException.notFound(what, id));
    }

    /**
     * The tenant a list request is limited to, given its optional {@code ?tenantId=}: empty means all
     * tenants (only for vendor roles without a filter). A tenant asking about another tenant gets
     * {@link #NOBODY}, so the list is empty rather than an error that would confirm the tenant exists.
     */
    public Optional<String> tenantFilter(Optional<String> requested) {
        if (isVendor()) {
            return requested;
        }
        return Optional.of(requested.isEmpty() || requested.get().equals(tenantId) ? tenantId : NOBODY);
    }

    /** A tenant id no object has, used to make a forbidden filter return nothing. */
    public static final String NOBODY = "";

    /** Who did something, for reasons a user reads: "admin", or "operator token 'ci'". */
    public String describe() {
        return role == Role.ADMIN ? "admin" : role.json() + " token '" + tokenName + "'";
    }

    @Override
    public String toString() {
        return role == Role.ADMIN ? "admin(token " + tokenId + ")"
                : role.json() + (isVendor() ? "" : " of tenant " + tenantId) + " (token " + tokenId + ")";
    }
}
