package io.zeroscale.billing.limit;

import io.zeroscale.billing.ledger.Charges;
import java.time.YearMonth;

/**
 * A tenant's spend limit for one month and where it stands.
 *
 * @param spentMicros charges of the month so far (running instances accrued to now), rounded up
 * @param reservedMicros first hours of instances about to boot, not charged by the ledger yet
 */
public record Budget(YearMonth period, long limitMicros, long spentMicros, long reservedMicros) {

  /** What is left: may be negative (an instance ran past the limit before it was drained). */
  public long remainingMicros() {
    return limitMicros - spentMicros - reservedMicros;
  }

  /** The limit is reached: the tenant's deployments scale to zero. */
  public boolean reached() {
    return remainingMicros() <= 0;
  }

  /** Whether booting an instance whose first hour costs {@code minimumMicros} fits. */
  public boolean fits(long minimumMicros) {
    return minimumMicros <= remainingMicros();
  }

  /** The client's message when a wake-up does not fit. */
  public String refusal(String what, long minimumMicros) {
    return "The spend limit of $"
        + Charges.usd(limitMicros).toPlainString()
        + " for "
        + period
        + (reached() ? " has been reached" : " does not cover this start")
        + ": $"
        + Charges.usd(Math.max(0, remainingMicros())).toPlainString()
        + " left, and "
        + what
        + " costs at least $"
        + Charges.usd(minimumMicros).toPlainString()
        + " (its first hour is billed at start). Raise the limit (PATCH"
        + " /api/v1/billing/settings, up to the administrator's ceiling), or"
        + " wait for the next month.";
  }
}
