package io.zeroscale.gateway.admin;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.web.ApiJson;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
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

  /** The admin API's shape. */
  public Json json() {
    return new Json(
        id.toString(),
        "tenant",
        name,
        gpuQuota,
        spendLimitMicros == null ? null : usdOrExact(spendLimitMicros),
        limits.requestsPerMinute(),
        limits.maxConcurrentRequests(),
        createdAt.toString(),
        updatedAt.toString());
  }

  /**
   * A tenant as the admin API shows it: these fields, in this order, in snake case, nulls written.
   *
   * @param requestsPerMinute null: the configured default
   * @param maxConcurrentRequests null: the configured default
   */
  @ApiJson
  public record Json(
      String id,
      String object,
      String name,
      int gpuQuota,
      BigDecimal spendLimitUsd,
      Integer requestsPerMinute,
      Integer maxConcurrentRequests,
      String createdAt,
      String updatedAt) {}

  /** Micro-dollars to dollars, exactly, with at least cents: 12_500_000 µ$ → 12.50. */
  static BigDecimal usdOrExact(long micros) {
    BigDecimal exact = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    return exact.scale() <= 2 ? exact.setScale(2, RoundingMode.UNNECESSARY) : exact;
  }
}
