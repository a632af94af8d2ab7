package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.error.ZeroscaleException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScopesTest {

  @Test
  void tenantKeysTakeTenantScopesOnly() {
    assertThat(Scopes.problem(List.of("inference:*", "deployments:write", "usage:read"), true))
        .isEmpty();
    assertThat(Scopes.problem(List.of("inference:my-llama.v2"), true)).isEmpty();
    assertThat(Scopes.problem(List.of("admin"), true)).get().asString().contains("platform scope");
    assertThat(Scopes.problem(List.of(), true)).isPresent();
    assertThat(Scopes.problem(List.of("inference:"), true)).get().asString().contains("unknown");
    assertThat(Scopes.problem(List.of("deployments:*"), true)).isPresent();
  }

  @Test
  void platformKeysTakePlatformScopesOnly() {
    assertThat(Scopes.problem(List.of("finance"), false)).isEmpty();
    assertThat(Scopes.problem(List.of("admin", "finance"), false)).isEmpty();
    assertThat(Scopes.problem(List.of("inference:*"), false))
        .get()
        .asString()
        .contains("needs a tenant");
  }

  @Test
  void principalChecksScopes() {
    UUID tenant = UUID.randomUUID();
    Principal reader = new Principal(UUID.randomUUID(), tenant, "acme", Set.of("deployments:read"));
    assertThat(reader.requireRead()).isEqualTo(tenant);
    assertThatThrownBy(reader::requireWrite)
        .isInstanceOfSatisfying(
            ZeroscaleException.class, e -> assertThat(e.error().status()).isEqualTo(403))
        .hasMessageContaining("deployments:write");
    Principal writer =
        new Principal(UUID.randomUUID(), tenant, "acme", Set.of("deployments:write"));
    assertThat(writer.requireRead()).as("write implies read").isEqualTo(tenant);

    Principal one = new Principal(UUID.randomUUID(), tenant, "acme", Set.of("inference:x"));
    assertThat(one.mayInfer("x")).isTrue();
    assertThat(one.mayInfer("y")).isFalse();

    Principal finance = new Principal(UUID.randomUUID(), null, null, Set.of("finance"));
    finance.requireFinance();
    assertThatThrownBy(finance::requireAdmin).isInstanceOf(ZeroscaleException.class);
    assertThatThrownBy(finance::requireRead).hasMessageContaining("platform key");
  }

  @Test
  void metricsIsAPlatformScope() {
    assertThat(Scopes.problem(List.of("metrics"), false)).isEmpty();
    assertThat(Scopes.problem(List.of("metrics"), true))
        .get()
        .asString()
        .contains("platform scope");
    assertThat(Scopes.problem(List.of("metric"), false)).get().asString().contains("metrics");
  }

  @Test
  void managementEndpointsNeedMetricsOrAdmin() {
    new Principal(UUID.randomUUID(), null, null, Set.of("metrics")).requireMetrics();
    new Principal(UUID.randomUUID(), null, null, Set.of("admin")).requireMetrics();
    for (Principal p :
        List.of(
            new Principal(UUID.randomUUID(), null, null, Set.of("finance")),
            new Principal(
                UUID.randomUUID(),
                UUID.randomUUID(),
                "acme",
                Set.of("inference:*", "deployments:write", "usage:read")))) {
      assertThatThrownBy(p::requireMetrics)
          .isInstanceOfSatisfying(
              ZeroscaleException.class,
              e -> {
                assertThat(e.error().status()).isEqualTo(403);
                assertThat(e.error().code()).isEqualTo("insufficient_scope");
              })
          .hasMessageContaining("'metrics'");
    }
  }
}
