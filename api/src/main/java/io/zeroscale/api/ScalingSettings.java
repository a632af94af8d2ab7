package io.zeroscale.api;

/**
 * A deployment's live-changeable settings (SPEC §3 {@code settings}, §6 defaults).
 *
 * @param minInstances instances kept even when idle (0 = scale to zero)
 * @param maxInstances upper bound, at least 1
 * @param scaleToZeroAfterS idle seconds before going to zero (default 300)
 * @param activationTimeoutS how long a held request waits for a cold start (default 900)
 * @param maxQueuedRequests held requests per deployment per gateway (default 1000)
 * @param targetUtilization share of max_batch_size to aim for (default 0.7)
 * @param stableWindowS averaging window for scaling decisions (default 60)
 * @param billingAwareScaleDown keep idle instances until their paid first hour ends (default true)
 * @param maxSurge instances a rollout may boot above the target while old ones still serve (default
 *     1; 0 replaces one at a time)
 */
public record ScalingSettings(
    int minInstances,
    int maxInstances,
    int scaleToZeroAfterS,
    int activationTimeoutS,
    int maxQueuedRequests,
    double targetUtilization,
    int stableWindowS,
    boolean billingAwareScaleDown,
    int maxSurge) {

  public static final int DEFAULT_MAX_SURGE = 1;

  /** Settings with the default {@code max_surge}. */
  public ScalingSettings(
      int minInstances,
      int maxInstances,
      int scaleToZeroAfterS,
      int activationTimeoutS,
      int maxQueuedRequests,
      double targetUtilization,
      int stableWindowS,
      boolean billingAwareScaleDown) {
    this(
        minInstances,
        maxInstances,
        scaleToZeroAfterS,
        activationTimeoutS,
        maxQueuedRequests,
        targetUtilization,
        stableWindowS,
        billingAwareScaleDown,
        DEFAULT_MAX_SURGE);
  }

  public static final int DEFAULT_SCALE_TO_ZERO_AFTER_S = 300;
  public static final int DEFAULT_ACTIVATION_TIMEOUT_S = 900;
  public static final int DEFAULT_MAX_QUEUED_REQUESTS = 1000;
  public static final double DEFAULT_TARGET_UTILIZATION = 0.7;
  public static final int DEFAULT_STABLE_WINDOW_S = 60;
}
