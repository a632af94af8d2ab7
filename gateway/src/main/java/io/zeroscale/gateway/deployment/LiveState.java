package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentStatus;

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

  /**
   * A deployment's status after a settings change, while no instance exists yet: raising
   * min_instances above zero wakes a deployment resting at zero ({@code pending}); lowering it to
   * zero lets a pending one rest. Every other status belongs to the activator and is kept.
   */
  public static DeploymentStatus afterSettingsChange(
      DeploymentStatus current, int newMinInstances, LiveState live) {
    boolean idle = live.desired() == 0 && live.instances() == 0;
    if (current == DeploymentStatus.SCALED_TO_ZERO && newMinInstances > 0) {
      return DeploymentStatus.PENDING;
    }
    if (current == DeploymentStatus.PENDING && newMinInstances == 0 && idle) {
      return DeploymentStatus.SCALED_TO_ZERO;
    }
    return current;
  }
}
