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
 */
@ApiJson
public record SpendLimitStatus(
    String period,
    BigDecimal limitUsd,
    BigDecimal spentUsd,
    BigDecimal reservedUsd,
    BigDecimal remainingUsd,
    boolean reached,
    String message) {

  /** The status of a budget: $1.00 limit, $0.40 spent, $0.60 reserved → $0 left, reached. */
  public static SpendLimitStatus of(Budget b) {
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
            : null);
  }
}
