package io.zeroscale.billing.settings;

import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.gateway.admin.AdminRules;
import io.zeroscale.gateway.web.JsonBody;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of the self-service billing settings as pure functions: what a PATCH body means, and
 * whether the tenant's own limit stays under the administrator's ceiling.
 */
public final class SettingsRules {

  public static final String LIMIT = "spend_limit_usd";
  public static final String ALERT = "alert_threshold_pct";
  private static final Set<String> FIELDS = Set.of(LIMIT, ALERT);

  private SettingsRules() {}

  /**
   * The change a PATCH body asks for: {@code spend_limit_usd} as for the admin API (≥ 0, at most 6
   * decimals), {@code alert_threshold_pct} an integer 1–100; null clears either. Each problem is a
   * 422 naming the field.
   */
  public static SettingsChange change(JsonBody req) {
    req.allowOnly(FIELDS);
    Long limit = null;
    if (req.has(LIMIT) && !req.isNull(LIMIT)) {
      try {
        limit = AdminRules.spendLimitMicros(req.optionalDecimal(LIMIT).orElseThrow());
      } catch (IllegalArgumentException e) {
        throw req.invalid(LIMIT, e.getMessage());
      }
    }
    Integer alert = req.optionalInt(ALERT).orElse(null);
    if (alert != null && (alert < 1 || alert > 100)) {
      throw req.invalid(ALERT, "alert_threshold_pct must be between 1 and 100; got " + alert + ".");
    }
    return new SettingsChange(req.has(LIMIT), limit, req.has(ALERT), alert);
  }

  /**
   * Why the tenant's own limit may not be stored, if it may not: it is above the administrator's
   * limit, which the tenant can lower but never raise. Ceiling $50, own $60 → refused; own $50 or
   * $10, or no ceiling → allowed.
   */
  public static Optional<String> aboveCeiling(Long ceilingMicros, Long ownMicros) {
    if (ceilingMicros == null || ownMicros == null || ownMicros <= ceilingMicros) {
      return Optional.empty();
    }
    return Optional.of(
        "spend_limit_usd $"
            + Charges.usd(ownMicros).toPlainString()
            + " is above the ceiling of $"
            + Charges.usd(ceilingMicros).toPlainString()
            + " that the administrator set for this tenant; set at most $"
            + Charges.usd(ceilingMicros).toPlainString()
            + " (or ask an administrator to raise the ceiling).");
  }
}
