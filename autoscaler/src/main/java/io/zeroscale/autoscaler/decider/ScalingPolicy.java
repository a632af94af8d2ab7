package io.zeroscale.autoscaler.decider;

import java.time.Duration;

/**
 * How one deployment scales: its settings (SPEC §3) merged with the platform's knobs.
 *
 * @param maxBatchSize concurrent requests one instance takes
 * @param targetUtilization share of {@code maxBatchSize} to aim for, in (0, 1]
 * @param stableWindow demand is averaged over this window for normal scaling
 * @param panicWindow the short window that detects bursts (at most the stable window)
 * @param panicThreshold panic when panic-window demand ≥ this × the fleet's target capacity
 * @param scaleToZeroAfter with no request for this long, a deployment with min 0 goes to zero
 * @param minInstances floor
 * @param maxInstances ceiling
 * @param quotaInstances ceiling from the tenant's GPU quota ({@link Integer#MAX_VALUE}: unknown;
 *     the control plane already keeps {@code max_instances × num_gpus} within the quota)
 * @param billingAware keep instances inside their paid first hour instead of stopping them
 * @param maxScaleUpRate at most this × the current instances per decision (Knative: 1000)
 * @param maxScaleDownRate at least current ÷ this instances per decision (Knative: 2)
 * @param scaleDownTolerance scale down only once demand is this far below the lower level
 * @param paidPeriod the prepaid first period of every instance (SPEC §5: one hour)
 */
public record ScalingPolicy(
    int maxBatchSize,
    double targetUtilization,
    Duration stableWindow,
    Duration panicWindow,
    double panicThreshold,
    Duration scaleToZeroAfter,
    int minInstances,
    int maxInstances,
    int quotaInstances,
    boolean billingAware,
    double maxScaleUpRate,
    double maxScaleDownRate,
    double scaleDownTolerance,
    Duration paidPeriod) {

  public ScalingPolicy {
    if (maxBatchSize < 1) {
      throw invalid("maxBatchSize", maxBatchSize, "must be >= 1");
    }
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      throw invalid("targetUtilization", targetUtilization, "must be in (0, 1]");
    }
    positive("stableWindow", stableWindow);
    positive("panicWindow", panicWindow);
    positive("scaleToZeroAfter", scaleToZeroAfter);
    positive("paidPeriod", paidPeriod);
    if (panicWindow.compareTo(stableWindow) > 0) {
      throw invalid("panicWindow", panicWindow, "must not exceed stableWindow " + stableWindow);
    }
    if (!(panicThreshold > 1)) {
      throw invalid("panicThreshold", panicThreshold, "must be > 1");
    }
    if (minInstances < 0 || maxInstances < 1 || minInstances > maxInstances) {
      throw invalid(
          "minInstances/maxInstances", minInstances + "/" + maxInstances, "need 0 <= min <= max");
    }
    if (quotaInstances < 0) {
      throw invalid("quotaInstances", quotaInstances, "must be >= 0");
    }
    if (!(maxScaleUpRate > 1)) {
      throw invalid("maxScaleUpRate", maxScaleUpRate, "must be > 1");
    }
    if (!(maxScaleDownRate > 1)) {
      throw invalid("maxScaleDownRate", maxScaleDownRate, "must be > 1");
    }
    if (!(scaleDownTolerance >= 0 && scaleDownTolerance < 1)) {
      throw invalid("scaleDownTolerance", scaleDownTolerance, "must be in [0, 1)");
    }
  }

  /** Concurrent requests one instance should carry: 64 × 0.7 = 44.8. */
  public double perInstance() {
    return maxBatchSize * targetUtilization;
  }

  /** The highest replica count allowed: max_instances, and the quota when known. */
  public int cap() {
    return Math.min(maxInstances, quotaInstances);
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw invalid(name, d, "must be a positive duration");
    }
  }

  private static IllegalArgumentException invalid(String name, Object value, String why) {
    return new IllegalArgumentException("scaling policy " + name + " " + why + ", got " + value);
  }
}
