package io.zeroscale.billing.limit;

import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.gateway.web.ApiJson;
import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * A tenant's spend limit as its usage shows it ({@code spend_limit} of {@code GET /api/v1/usage}):
 * the components in snake case, in their order, nulls written.
 *
 * @param message why deployments are at zero once the limit is reached, else null
 * @param alert the tenant's alert threshold and whether it is reached, null without one
 */
@ApiJson
public record SpendLimitStatus(
    String period,
    BigDecimal limitUsd,
    BigDecimal spentUsd,
    BigDecimal reservedUsd,
    BigDecimal remainingUsd,
    boolean reached,
    String message,
    Alert alert) {

  /**
   * The alert of {@code alert_threshold_pct} ({@code PATCH /api/v1/billing/settings}).
   *
   * @param thresholdPct the percent of the limit
   * @param thresholdUsd that percent of the limit, in USD
   * @param reached whether what is spent and reserved has reached it
   */
  @ApiJson
  public record Alert(int thresholdPct, BigDecimal thresholdUsd, boolean reached) {

    /**
     * The alert at {@code pct} % of the budget's limit, rounded up to the micro-dollar: 80 % of
     * $10.00 → $8.00, reached once $8.00 is spent or reserved.
     */
    public static Alert of(Budget b, int pct) {
      long threshold = Math.ceilDiv(Math.multiplyExact(b.limitMicros(), (long) pct), 100L);
      long used = b.limitMicros() - b.remainingMicros();
      return new Alert(pct, Charges.usd(threshold), used >= threshold);
    }
  }

  /** The status of a budget without an alert threshold. */
  public static SpendLimitStatus of(Budget b) {
    return of(b, null);
  }

  /**
   * The status of a budget: $1.00 limit, $0.40 spent, $0.60 reserved → $0 left, reached.
   *
   * @param alertPct the tenant's alert threshold in percent, null without one
   */
  public static SpendLimitStatus of(Budget b, Integer alertPct) {
    YearMonth period = b.period();
    return new SpendLimitStatus(
        period.toString(),
        Charges.usd(b.limitMicros()),
        Charges.usd(b.spentMicros()),
        Charges.usd(b.reservedMicros()),
        Charges.usd(Math.max(0, b.remainingMicros())),
        b.reached(),
        b.reached()
            ? "The spend limit of $"
                + Charges.usd(b.limitMicros()).toPlainString()
                + " for "
                + period
                + " has been reached: deployments are scaled to zero and wake-ups are"
                + " refused (402)."
            : null,
        alertPct == null ? null : Alert.of(b, alertPct));
  }
}
