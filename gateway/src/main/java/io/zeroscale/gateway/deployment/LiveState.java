package io.zeroscale.gateway.deployment;

/**
 * What is running for a deployment right now, as the tenant API shows it.
 *
 * @param desired replicas the autoscaler (or a wake-up) asks for
 * @param starting instances booting
 * @param ready instances serving
 * @param draining instances finishing their requests before they stop
 * @param queueDepth requests held by the gateways, waiting for a slot
 */
public record LiveState(int desired, int starting, int ready, int draining, long queueDepth) {

  public static final LiveState NONE = new LiveState(0, 0, 0, 0, 0);

  /** Instances that hold GPUs: starting, ready or draining. */
  public int instances() {
    return starting + ready + draining;
  }
}
