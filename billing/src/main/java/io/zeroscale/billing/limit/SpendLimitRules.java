package io.zeroscale.billing.limit;

import io.zeroscale.billing.invoice.Invoices;
import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.billing.ledger.LedgerEntry;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spend limit's rules as pure functions: what a month has cost so far, what a boot must fit,
 * and whether it does. {@link SpendLimits} reads and writes around them.
 */
public final class SpendLimitRules {

  private SpendLimitRules() {}

  /**
   * The month's charges so far in micro-dollars, rounded up once: every entry's billed time within
   * the month (running instances accrued to {@code now}) at its captured price. One GPU for 90 min
   * at $2.00/h → 5400 s × 2 000 000 = 10 800 000 000 → 3 000 000 µ$ ($3.00).
   */
  public static long spentMicros(List<LedgerEntry> entries, YearMonth period, Instant now) {
    Instant from = Invoices.start(period);
    Instant to = Invoices.end(period);
    long cost = 0;
    for (LedgerEntry e : entries) {
      long billed = Charges.in(e, from, to, now).billedGpuSeconds();
      cost = Math.addExact(cost, Charges.cost(billed, e.microsPerGpuHour()));
    }
    return Charges.microsCeil(cost);
  }

  /**
   * What a boot reserves: its first hour, {@code price × GPUs} (2 × $2.00/h → 4 000 000 µ$); 0 for
   * a GPU type the catalog does not price (the ledger does not bill it either).
   */
  public static long firstHourMicros(OptionalLong microsPerGpuHour, int numGpus) {
    return microsPerGpuHour.isEmpty()
        ? 0
        : Math.multiplyExact(microsPerGpuHour.getAsLong(), (long) numGpus);
  }

  /** Allowed when the first hour fits what is left of the budget, else refused with why. */
  public static Reservation decide(Budget b, long firstHourMicros, String gpu, int numGpus) {
    if (b.fits(firstHourMicros)) {
      return Reservation.ALLOWED;
    }
    return new Reservation.Refused(
        "spend limit reached: "
            + b.refusal("an instance of " + numGpus + " × " + gpu, firstHourMicros));
  }

  /**
   * Remembers which tenants were scaled to zero for their limit this month, so that a reached limit
   * scales a tenant's deployments down once, not on every pass; once the limit is lifted (or a new
   * month starts) and reached again, it scales down again.
   */
  public static final class ScaleDowns {
    private final Set<String> done = ConcurrentHashMap.newKeySet();

    /** Whether this budget should scale the tenant's deployments to zero now. */
    public boolean due(UUID tenantId, Budget b) {
      String key = tenantId + "/" + b.period();
      if (!b.reached()) {
        done.remove(key);
        return false;
      }
      return done.add(key);
    }
  }
}
