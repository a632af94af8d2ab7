package io.zeroscale.billing.tenant;

import java.util.UUID;

/**
 * A tenant as billing sees it, deleted or not (invoices outlive tenants).
 *
 * @param adminLimitMicros the administrator's monthly spend limit in micro-dollars (a ceiling for
 *     the tenant's own), or null without one
 * @param ownLimitMicros the tenant's own monthly spend limit ({@code PATCH
 *     /api/v1/billing/settings}), or null without one
 * @param alertThresholdPct percent of the enforced limit at which usage reports the alert as
 *     reached, or null without one
 */
public record TenantRef(
    UUID id, String name, Long adminLimitMicros, Long ownLimitMicros, Integer alertThresholdPct) {

  /** A tenant with only an administrator's limit (or none), no settings of its own. */
  public TenantRef(UUID id, String name, Long adminLimitMicros) {
    this(id, name, adminLimitMicros, null, null);
  }

  /**
   * The limit enforced: the lower of the administrator's and the tenant's own, null when neither is
   * set. Admin $50, own $10 → $10; admin $50, own none → $50; admin none, own $10 → $10.
   */
  public Long spendLimitMicros() {
    return effectiveLimit(adminLimitMicros, ownLimitMicros);
  }

  /** The lower of two optional limits (null = none). */
  public static Long effectiveLimit(Long admin, Long own) {
    if (admin == null) {
      return own;
    }
    if (own == null) {
      return admin;
    }
    return Math.min(admin, own);
  }
}
