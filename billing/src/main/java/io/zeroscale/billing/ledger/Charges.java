package io.zeroscale.billing.ledger;

import io.zeroscale.api.scaling.StopOrder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/**
 * SPEC §5 as pure functions: {@code max(runtime, 1 h) × num_gpus × price}, runtime to the second.
 *
 * <p>Time is counted in whole seconds: the start is taken down to its second and the runtime is
 * rounded up to the next second (a started second is billed), so every range below splits an
 * instance's seconds exactly, with nothing lost or counted twice.
 *
 * <p><b>The first hour is charged at the start</b> ("billed for the first hour immediately"): the
 * range that contains the start instant gets 3600 s × GPUs at once, whatever the runtime; beyond
 * the first hour, time accrues per second in the range where it happens. So an instance from Oct 31
 * 23:30 to Nov 1 01:30 UTC puts 1 h in October (its first hour, although half of it ran in
 * November) and 1 h in November (00:30 → 01:30); one from 23:50 to 00:10 puts 1 h in October and
 * nothing in November.
 *
 * <p>Money: a GPU-second costs {@code price / 3600}, which is not a whole number of micro-dollars
 * (2.00 USD/h = 555.55… µ$/s), so amounts are kept as {@code gpuSeconds × microsPerGpuHour} (exact
 * integers) and rounded once, half-even at the cent, per invoice line.
 */
public final class Charges {

  /** The first-hour minimum, in seconds. */
  public static final long MINIMUM_SECONDS = StopOrder.PAID_PERIOD.toSeconds();

  private static final BigDecimal MICROS_PER_USD_HOUR = BigDecimal.valueOf(3600L * 1_000_000L);

  private Charges() {}

  /** Whole seconds the instance has run by {@code now}: a started second counts. */
  public static long runtimeSeconds(LedgerEntry e, Instant now) {
    Instant end = e.endedAt() != null ? e.endedAt() : now;
    if (!end.isAfter(e.startedAt())) {
      return 0;
    }
    Duration d = Duration.between(e.startedAt(), end);
    return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
  }

  /**
   * What the instance is charged within {@code [from, to)}, as of {@code now} (a running instance
   * has accrued up to now).
   */
  public static Charge in(LedgerEntry e, Instant from, Instant to, Instant now) {
    long fromS = from.getEpochSecond();
    long toS = to.getEpochSecond();
    long start = e.startedAt().getEpochSecond();
    long runtime = runtimeSeconds(e, now);
    long end = start + runtime;
    boolean startsHere = start >= fromS && start < toS;
    long ran = overlap(start, end, fromS, toS);
    long billed =
        (startsHere ? MINIMUM_SECONDS : 0) + overlap(start + MINIMUM_SECONDS, end, fromS, toS);
    long topUp = startsHere ? Math.max(0, MINIMUM_SECONDS - runtime) : 0;
    int n = e.numGpus();
    return new Charge(ran * n, billed * n, topUp * n);
  }

  private static long overlap(long a, long b, long from, long to) {
    return Math.max(0, Math.min(b, to) - Math.max(a, from));
  }

  /** GPU-seconds at a rate, in exact "micro-dollar-seconds per hour" units: seconds × µ$/h. */
  public static long cost(long gpuSeconds, long microsPerGpuHour) {
    return Math.multiplyExact(gpuSeconds, microsPerGpuHour);
  }

  /**
   * An amount in USD rounded half-even to the cent: 3594 GPU-s at 2.00 → 1.9966… → 2.00; 5400 GPU-s
   * at 2.00 → 3.00.
   */
  public static BigDecimal amountUsd(long gpuSeconds, long microsPerGpuHour) {
    return costUsd(cost(gpuSeconds, microsPerGpuHour));
  }

  /** An exact cost (seconds × µ$/h, see {@link #cost}) in USD, half-even at the cent. */
  public static BigDecimal costUsd(long cost) {
    return BigDecimal.valueOf(cost).divide(MICROS_PER_USD_HOUR, 2, RoundingMode.HALF_EVEN);
  }

  /** An exact cost (seconds × µ$/h) in micro-dollars, rounded up: what a budget must cover. */
  public static long microsCeil(long cost) {
    return Math.ceilDiv(cost, 3600L);
  }

  /** GPU-hours for display, half-even at 6 decimals: 3594 → 0.998333. */
  public static BigDecimal hours(long gpuSeconds) {
    return BigDecimal.valueOf(gpuSeconds)
        .divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_EVEN);
  }

  /** A price in µ$ as USD, with at least cents: 2_000_000 → 2.00, 1_234_500 → 1.2345. */
  public static BigDecimal usd(long micros) {
    BigDecimal exact = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    return exact.scale() <= 2 ? exact.setScale(2, RoundingMode.UNNECESSARY) : exact;
  }
}
