package io.zeroscale.gateway.deployment;

import java.util.Locale;

/**
 * A deployment's lifecycle (SPEC §3). The control plane sets {@code pending} / {@code
 * scaled_to_zero} at creation and {@code deleting} / {@code deleted} on delete; the activator owns
 * the transitions in between ({@code deploying}, {@code running}, {@code failed}).
 */
public enum DeploymentStatus {
  PENDING,
  DEPLOYING,
  RUNNING,
  SCALED_TO_ZERO,
  FAILED,
  DELETING,
  DELETED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeploymentStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** A new deployment waits for its first instances, or rests at zero when it may. */
  public static DeploymentStatus initial(int minInstances) {
    return minInstances > 0 ? PENDING : SCALED_TO_ZERO;
  }

  /**
   * The status after a settings change, while no instance exists yet: raising min_instances above
   * zero wakes a deployment resting at zero ({@code pending}); lowering it to zero lets a pending
   * one rest. Every other status belongs to the activator and is kept.
   */
  public static DeploymentStatus afterSettingsChange(
      DeploymentStatus current, int newMinInstances, LiveState live) {
    boolean idle = live.desired() == 0 && live.instances() == 0;
    if (current == SCALED_TO_ZERO && newMinInstances > 0) {
      return PENDING;
    }
    if (current == PENDING && newMinInstances == 0 && idle) {
      return SCALED_TO_ZERO;
    }
    return current;
  }
}
