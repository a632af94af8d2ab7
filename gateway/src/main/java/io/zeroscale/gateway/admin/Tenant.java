package io.zeroscale.gateway.admin;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.web.ApiObjects;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant as the admin API shows it.
 *
 * @param spendLimitMicros monthly spend limit in integer micro-dollars, null for none
 * @param limits the tenant's rate limits for its keys; null fields: the configured default
 */
public record Tenant(
    UUID id,
    String name,
    int gpuQuota,
    Long spendLimitMicros,
    Principal.Limits limits,
    Instant createdAt,
    Instant updatedAt) {

  public Tenant {
    limits = Principal.Limits.orInherit(limits);
  }

  public Map<String, Object> json() {
    Map<String, Object> m = ApiObjects.of(id, "tenant");
    m.put("name", name);
    m.put("gpu_quota", gpuQuota);
    m.put("spend_limit_usd", spendLimitMicros == null ? null : usdOrExact(spendLimitMicros));
    limits.putInto(m);
    m.put("created_at", createdAt.toString());
    m.put("updated_at", updatedAt.toString());
    return m;
  }

  /** Micro-dollars to dollars, exactly, with at least cents: 12_500_000 µ$ → 12.50. */
  static BigDecimal usdOrExact(long micros) {
    BigDecimal exact = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    return exact.scale() <= 2 ? exact.setScale(2, RoundingMode.UNNECESSARY) : exact;
  }
}
