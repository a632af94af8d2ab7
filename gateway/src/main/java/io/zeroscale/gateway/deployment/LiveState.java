package io.zeroscale.gateway.deployment;

/**
 * What is running for a deployment right now, as the tenant API shows it.
 *
 * @param desired replicas the autoscaler (or a wake-up) asks for
 * @param starting instances booting
 * @param ready instances serving
 * @param draining instances finishing their requests before they stop
 * @param queueDepth requests held by the gateways, waiting for a slot
 * @param autoscaler the autoscaler's latest decision, or null when it has made none
 */
public record LiveState(
    int desired,
    int starting,
    int ready,
    int draining,
    long queueDepth,
    AutoscalerView autoscaler) {

  public static final LiveState NONE = new LiveState(0, 0, 0, 0, 0);

  public LiveState(int desired, int starting, int ready, int draining, long queueDepth) {
    this(desired, starting, ready, draining, queueDepth, null);
  }

  /**
   * The autoscaler's latest decision ({@code zs:desired}) and the deployment's idle-but-paid time
   * ({@code zs:idle-paid}).
   *
   * @param desired replicas asked for
   * @param reason why, in words and numbers
   * @param at when it was decided (epoch ms)
   * @param mode {@code stable}, {@code panic}, or null (a wake-up)
   * @param idleButPaidS seconds of instance time kept only because it was prepaid (billing-aware
   *     scale-down), cumulative
   */
  public record AutoscalerView(
      int desired, String reason, long at, String mode, double idleButPaidS) {}

  /** Instances that hold GPUs: starting, ready or draining. */
  public int instances() {
    return starting + ready + draining;
  }
}
