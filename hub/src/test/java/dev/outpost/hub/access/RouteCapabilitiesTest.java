package dev.outpost.hub.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteCapabilitiesTest {
    private final RouteCapabilities routes = new RouteCapabilities();

    @Test
    void eachOperationOfTheServedDescriptionNeedsItsCapability() {
        assertThat(routes.required("POST", "/api/v1/deployments")).contains(Capability.DEPLOY);
        assertThat(routes.required("GET", "/api/v1/deployments/dep_1/health")).contains(Capability.READ);
        assertThat(routes.required("HEAD", "/api/v1/deployments/dep_1")).contains(Capability.READ);
        assertThat(routes.required("GET", "/api/v1/usage/records")).contains(Capability.READ_USAGE);
        assertThat(routes.required("DELETE", "/api/v1/tenants/ten_1/tokens/tok_1")).contains(Capability.MANAGE_TOKENS);
        assertThat(routes.required("GET", "/api/v1/audit/verify")).contains(Capability.VERIFY_AUDIT);
    }

    @Test
    void whatTheDescriptionDoesNotHaveIsLeftToTheRouter() {
        assertThat(routes.required("GET", "/api/v1/nothing-here")).isEmpty();
        assertThat(routes.required("PUT", "/api/v1/deployments/dep_1")).isEmpty();
        assertThat(routes.required("GET", "/api/v1/openapi.yaml")).isEmpty();
    }

    @Test
    void anOperationWithoutACapabilityStopsTheHub() {
        Map<String, Object> document = Map.of("paths", Map.of("/api/v1/things", Map.of("get",
                Map.of("operationId", "listThings"), "post", Map.of("x-outpost-capability", "deploy"))));

        assertThatThrownBy(() -> new RouteCapabilities(document)).isInstanceOf(IllegalStateException.class)
                .hasMessage("API description: GET /api/v1/things has no valid x-outpost-capability (null)");
    }

    @Test
    void tenantRolesNeverHoldVendorCapabilitiesAndLegacyTenantTokensStayAdmins() {
        for (Role role : Role.values()) {
            if (!role.vendor()) {
                assertThat(role.may(Capability.ONBOARD) || role.may(Capability.PUBLISH) || role.may(Capability.MANAGE_TOKENS)
                        || role.may(Capability.VERIFY_AUDIT)).as(role.json()).isFalse();
            }
        }
        assertThat(Role.stored("tenant")).isEqualTo(Role.TENANT_ADMIN);
        assertThatThrownBy(() -> Role.stored("root")).isInstanceOf(IllegalStateException.class);
    }
}
