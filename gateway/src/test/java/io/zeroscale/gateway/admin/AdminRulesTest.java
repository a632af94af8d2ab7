package io.zeroscale.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.auth.Principal;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminRulesTest {

  @ParameterizedTest
  @ValueSource(strings = {"acme", "a", "team-42", "0day"})
  void goodTenantNames(String name) {
    assertThat(AdminRules.tenantName(name)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Acme", "-acme", "acme corp", "acme_corp", "a/b"})
  void badTenantNames(String name) {
    assertThat(AdminRules.tenantName(name)).isPresent();
  }

  @Test
  void tenantNameLengthLimit() {
    assertThat(AdminRules.tenantName("a".repeat(63))).isEmpty();
    assertThat(AdminRules.tenantName("a".repeat(64))).isPresent();
  }

  @Test
  void spendLimitIsExactMicroDollars() {
    assertThat(AdminRules.spendLimitMicros(new BigDecimal("12.5"))).isEqualTo(12_500_000L);
    assertThat(AdminRules.spendLimitMicros(new BigDecimal("0.000001"))).isEqualTo(1L);
    assertThat(AdminRules.spendLimitMicros(new BigDecimal("100.000000"))).isEqualTo(100_000_000L);
    assertThatThrownBy(() -> AdminRules.spendLimitMicros(new BigDecimal("0.0000001")))
        .hasMessageContaining("6 decimals");
    assertThatThrownBy(() -> AdminRules.spendLimitMicros(new BigDecimal("-1")))
        .hasMessageContaining("between 0");
    assertThat(Tenant.usdOrExact(12_500_000L)).isEqualByComparingTo("12.50");
    assertThat(Tenant.usdOrExact(12_500_000L).toPlainString()).isEqualTo("12.50");
    assertThat(Tenant.usdOrExact(1L).toPlainString()).isEqualTo("0.000001");
  }

  @Test
  void quotaKeyNameScopesExpiry() {
    assertThat(AdminRules.gpuQuota(0)).isEmpty();
    assertThat(AdminRules.gpuQuota(-1)).isPresent();
    assertThat(AdminRules.keyName(" ")).isPresent();
    assertThat(AdminRules.scopes(List.of("usage:read", "usage:read"), true)).isPresent();
    Instant now = Instant.parse("2026-11-22T00:00:00Z");
    assertThat(AdminRules.expiry(now, now)).isPresent();
    assertThat(AdminRules.expiry(now.plusSeconds(1), now)).isEmpty();
    assertThat(AdminRules.expiry(null, now)).isEmpty();
  }

  @Test
  void rateLimitsAreOneToAMillionOrNull() {
    assertThat(AdminRules.rateLimit("requests_per_minute", null)).isEmpty();
    assertThat(AdminRules.rateLimit("requests_per_minute", 1)).isEmpty();
    assertThat(AdminRules.rateLimit("requests_per_minute", 1_000_000)).isEmpty();
    assertThat(AdminRules.rateLimit("requests_per_minute", 0))
        .hasValueSatisfying(p -> assertThat(p).contains("requests_per_minute").contains("got 0"));
    assertThat(AdminRules.rateLimit("max_concurrent_requests", 1_000_001))
        .hasValueSatisfying(p -> assertThat(p).startsWith("max_concurrent_requests"));
    assertThat(AdminRules.rateLimit("max_concurrent_requests", -3)).isPresent();
  }

  @Test
  void tenantsAndKeysShowTheirRateLimitsNullWhenInherited() {
    Instant t = Instant.parse("2026-11-22T00:00:00Z");
    Tenant tenant =
        new Tenant(UUID.randomUUID(), "acme", 4, null, new Principal.Limits(600, null), t, t);
    assertThat(tenant.json())
        .containsEntry("requests_per_minute", 600)
        .containsEntry("max_concurrent_requests", null);
    ApiKeyView key =
        new ApiKeyView(
            UUID.randomUUID(),
            "acme",
            "ci",
            "zs-abcdefgh",
            List.of("inference:*"),
            null,
            null,
            null,
            t);
    assertThat(key.json())
        .containsEntry("requests_per_minute", null)
        .containsEntry("max_concurrent_requests", null);
  }
}
