package dev.outpost.hub.auth;

import dev.outpost.hub.api.ApiException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who is calling the REST API: the vendor's admin (sees everything) or a tenant (sees only its own
 * objects; another tenant's objects look as if they did not exist). {@code source} is the address the
 * request came from (for the audit log), null where there is none.
 */
public record Caller(String tokenId, String tenantId, String tokenName, String source) {

    /** The admin caller behind token {@code tokenId}. */
    public static Caller admin(String tokenId) {
        return new Caller(tokenId, null, "admin", null);
    }

    /** A caller limited to {@code tenantId}, using the token named {@code tokenName}. */
    public static Caller tenant(String tokenId, String tenantId, String tokenName) {
        return new Caller(tokenId, Objects.requireNonNull(tenantId), tokenName, null);
    }

    /** The same caller, calling from {@code address}. */
    public Caller from(String address) {
        return new Caller(tokenId, tenantId, tokenName, address);
    }

    public boolean isAdmin() {
        return tenantId == null;
    }

    /** Throws 403 unless the caller is the admin. */
    public void requireAdmin() {
        if (!isAdmin()) {
            throw ApiException.forbidden("only the admin token may do this");
        }
    }

    /** Whether the caller may see objects of {@code ownerTenantId}. */
    public boolean canSee(String ownerTenantId) {
        return isAdmin() || tenantId.equals(ownerTenantId);
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
     * tenants (only for the admin without a filter). A tenant asking about another tenant gets
     * {@link #NOBODY}, so the list is empty rather than an error that would confirm the tenant exists.
     */
    public Optional<String> tenantFilter(Optional<String> requested) {
        if (isAdmin()) {
            return requested;
        }
        return Optional.of(requested.isEmpty() || requested.get().equals(tenantId) ? tenantId : NOBODY);
    }

    /** A tenant id no object has, used to make a forbidden filter return nothing. */
    public static final String NOBODY = "";

    /** Who did something, for reasons a user reads: "admin" or "tenant token '<name>'". */
    public String describe() {
        return isAdmin() ? "admin" : "tenant token '" + tokenName + "'";
    }

    @Override
    public String toString() {
        return isAdmin() ? "admin(token " + tokenId + ")" : "tenant " + tenantId + " (token " + tokenId + ")";
    }
}
