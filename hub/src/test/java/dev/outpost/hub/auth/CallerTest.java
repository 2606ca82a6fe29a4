package dev.outpost.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.api.ApiException;
import io.micronaut.http.HttpStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallerTest {
    private final Caller admin = Caller.admin("tok_a");
    private final Caller tenant = Caller.tenant("tok_t", "ten_1", "ci");

    @Test
    void adminSeesEverythingAndFiltersOnlyWhenAsked() {
        assertThat(admin.canSee("ten_anything")).isTrue();
        assertThat(admin.tenantFilter(Optional.empty())).isEmpty();
        assertThat(admin.tenantFilter(Optional.of("ten_2"))).contains("ten_2");
        admin.requireVendor();
    }

    @Test
    void tenantIsHeldToItsOwnObjects() {
        assertThat(tenant.canSee("ten_1")).isTrue();
        assertThat(tenant.canSee("ten_2")).isFalse();
        assertThat(tenant.tenantFilter(Optional.empty())).contains("ten_1");
        assertThat(tenant.tenantFilter(Optional.of("ten_1"))).contains("ten_1");
        assertThat(tenant.tenantFilter(Optional.of("ten_2"))).contains(Caller.NOBODY);
        assertThatThrownBy(tenant::requireVendor).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).status()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void describesItselfByRoleOrTokenName() {
        assertThat(admin.describe()).isEqualTo("admin");
        assertThat(tenant.describe()).isEqualTo("tenant-admin token 'ci'");
    }
}
