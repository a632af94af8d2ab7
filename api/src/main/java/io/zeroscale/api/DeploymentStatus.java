package io.zeroscale.api;

import java.util.Locale;

/**
 * A deployment's lifecycle (SPEC §3). The control plane sets {@code pending} / {@code
 * scaled_to_zero} at creation and {@code deleting} / {@code deleted} on delete; the activator owns
 * the transitions in between ({@code deploying}, {@code running}, {@code failed}). On the wire (the
 * tenant API, Redis, the database) a status is its lower-case name ({@link #wire()}).
 */
public enum DeploymentStatus implements WireName {
  PENDING,
  DEPLOYING,
  RUNNING,
  SCALED_TO_ZERO,
  FAILED,
  DELETING,
  DELETED;

  /** Reads what {@link #wire()} wrote; an unknown value is an {@link IllegalArgumentException}. */
  public static DeploymentStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** A new deployment waits for its first instances, or rests at zero when it may. */
  public static DeploymentStatus initial(int minInstances) {
    return minInstances > 0 ? PENDING : SCALED_TO_ZERO;
  }

  /**
   * Whether a deployment in this status takes no more requests: {@code deleting}, {@code deleted}.
   */
  public boolean isGone() {
    return this == DELETING || this == DELETED;
  }
}
