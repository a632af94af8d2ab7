package io.zeroscale.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.auth.Principal;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class AdminRulesTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

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
    assertThat(AdminRules.scopes(List.of("keys:read", "keys:write"), true)).isEmpty();
    assertThat(AdminRules.scopes(List.of("keys:write"), false)).isPresent();
    List<String> many =
        java.util.stream.IntStream.rangeClosed(1, AdminRules.MAX_SCOPES + 1)
            .mapToObj(i -> "inference:m" + i)
            .toList();
    assertThat(AdminRules.scopes(many.subList(0, AdminRules.MAX_SCOPES), true)).isEmpty();
    assertThat(AdminRules.scopes(many, true)).get().asString().contains("at most 100");
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
    assertThat(served(tenant.json()))
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
            t,
            null);
    assertThat(served(key.json()))
        .containsEntry("requests_per_minute", null)
        .containsEntry("max_concurrent_requests", null);
  }

  /** Byte for byte what the maps they replaced were written as: the order, the nulls. */
  @Test
  void tenantsAndKeysAreWrittenAsBefore() {
    Instant t = Instant.parse("2026-11-22T00:00:00Z");
    UUID id = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    Tenant tenant = new Tenant(id, "acme", 4, 12_500_000L, new Principal.Limits(600, null), t, t);
    assertThat(JSON.writeValueAsString(tenant.json()))
        .isEqualTo(
            "{\"id\":\"00000000-0000-0000-0000-0000000000aa\",\"object\":\"tenant\","
                + "\"name\":\"acme\",\"gpu_quota\":4,\"spend_limit_usd\":12.50,"
                + "\"requests_per_minute\":600,\"max_concurrent_requests\":null,"
                + "\"created_at\":\"2026-11-22T00:00:00Z\",\"updated_at\":\"2026-11-22T00:00:00Z\"}");
    ApiKeyView key =
        new ApiKeyView(
            id,
            "acme",
            "ci",
            "zs-abcdefgh",
            List.of("inference:*"),
            t,
            new Principal.Limits(null, 3),
            null,
            t,
            null);
    String listed =
        "{\"id\":\"00000000-0000-0000-0000-0000000000aa\",\"object\":\"api_key\","
            + "\"tenant\":\"acme\",\"name\":\"ci\",\"prefix\":\"zs-abcdefgh\","
            + "\"scopes\":[\"inference:*\"],\"expires_at\":\"2026-11-22T00:00:00Z\","
            + "\"requests_per_minute\":null,\"max_concurrent_requests\":3,\"revoked_at\":null,"
            + "\"created_at\":\"2026-11-22T00:00:00Z\"";
    assertThat(JSON.writeValueAsString(key.json())).isEqualTo(listed + "}");
    assertThat(JSON.writeValueAsString(key.json("zs-secret")))
        .isEqualTo(listed + ",\"secret\":\"zs-secret\"}");
  }

  /** What the JSON an object is served as reads back as. */
  private static Map<String, Object> served(Object view) {
    return JSON.convertValue(view, new TypeReference<Map<String, Object>>() {});
  }
}
