package io.zeroscale.autoscaler.decider;

import io.zeroscale.api.Checks;
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

  private static final Checks CHECKS = new Checks("scaling policy ");

  public ScalingPolicy {
    CHECKS.atLeastOne("maxBatchSize", maxBatchSize);
    CHECKS.check(
        targetUtilization > 0 && targetUtilization <= 1,
        "targetUtilization",
        targetUtilization,
        "must be in (0, 1]");
    CHECKS.positive("stableWindow", stableWindow);
    CHECKS.positive("panicWindow", panicWindow);
    CHECKS.positive("scaleToZeroAfter", scaleToZeroAfter);
    CHECKS.positive("paidPeriod", paidPeriod);
    CHECKS.notOver("panicWindow", panicWindow, stableWindow, "stableWindow " + stableWindow);
    CHECKS.moreThanOne("panicThreshold", panicThreshold);
    CHECKS.check(
        minInstances >= 0 && maxInstances >= 1 && minInstances <= maxInstances,
        "minInstances/maxInstances",
        minInstances + "/" + maxInstances,
        "need 0 <= min <= max");
    CHECKS.check(quotaInstances >= 0, "quotaInstances", quotaInstances, "must be >= 0");
    CHECKS.moreThanOne("maxScaleUpRate", maxScaleUpRate);
    CHECKS.moreThanOne("maxScaleDownRate", maxScaleDownRate);
    CHECKS.fractionBelowOne("scaleDownTolerance", scaleDownTolerance);
  }

  /** Concurrent requests one instance should carry: 64 × 0.7 = 44.8. */
  public double perInstance() {
    return maxBatchSize * targetUtilization;
  }

  /** The highest replica count allowed: max_instances, and the quota when known. */
  public int cap() {
    return Math.min(maxInstances, quotaInstances);
  }
}
