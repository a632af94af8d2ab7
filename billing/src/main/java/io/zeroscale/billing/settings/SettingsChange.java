package io.zeroscale.billing.settings;

/**
 * What a {@code PATCH /api/v1/billing/settings} changes: a field absent from the body is kept, a
 * field set to null is cleared.
 *
 * @param setLimit whether {@code spend_limit_usd} was given
 * @param limitMicros the tenant's own limit in micro-dollars, null = none
 * @param setAlert whether {@code alert_threshold_pct} was given
 * @param alertPct the alert threshold in percent (1–100), null = none
 */
public record SettingsChange(
    boolean setLimit, Long limitMicros, boolean setAlert, Integer alertPct) {

  /** The tenant's own limit after this change, from the stored one. */
  public Long limitAfter(Long stored) {
    return setLimit ? limitMicros : stored;
  }

  /** The alert threshold after this change, from the stored one. */
  public Integer alertAfter(Integer stored) {
    return setAlert ? alertPct : stored;
  }
}
