package io.zeroscale.billing.ledger;

/**
 * GPU-seconds of one instance (or a sum of them) within a range: what ran, what is billed, and the
 * part of the billed time that is the first-hour minimum's top-up. GPU-seconds are seconds × GPUs.
 *
 * @param runtimeGpuSeconds time the GPUs were held within the range
 * @param billedGpuSeconds time charged within the range (first hour at the start, then accrual)
 * @param topUpGpuSeconds of the billed time, what the first-hour minimum adds beyond the runtime
 */
public record Charge(long runtimeGpuSeconds, long billedGpuSeconds, long topUpGpuSeconds) {

  public static final Charge ZERO = new Charge(0, 0, 0);

  public Charge plus(Charge o) {
    return new Charge(
        runtimeGpuSeconds + o.runtimeGpuSeconds,
        billedGpuSeconds + o.billedGpuSeconds,
        topUpGpuSeconds + o.topUpGpuSeconds);
  }

  public Charge minus(Charge o) {
    return new Charge(
        runtimeGpuSeconds - o.runtimeGpuSeconds,
        billedGpuSeconds - o.billedGpuSeconds,
        topUpGpuSeconds - o.topUpGpuSeconds);
  }

  public boolean isZero() {
    return runtimeGpuSeconds == 0 && billedGpuSeconds == 0 && topUpGpuSeconds == 0;
  }
}
