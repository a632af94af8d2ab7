package io.zeroscale.activator.reconcile;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * What a probe means for an instance. A ready instance is replaced after {@code healthFailures}
 * probes in a row that answered badly (dead), or after {@code slowProbeLimit} in a row that did not
 * answer in time (hung): with the defaults, 3 refused probes (3 s at a 1 s tick) but 30 slow ones,
 * since an engine busy with a flood of requests answers late and must not be cut off.
 *
 * @param failures consecutive bad answers after this probe
 * @param slow consecutive unanswered probes after this probe
 * @param replace the instance is to be drained and replaced
 */
public record ProbeVerdict(int failures, int slow, boolean replace) {

  /** The verdict on a ready instance that had {@code failures} and {@code slow} before. */
  public static ProbeVerdict ofReady(
      int failures, int slow, Health health, ActivatorPolicy policy) {
    // Up clears both counts; each bad answer adds to its own.
    int f = health == Health.UP ? 0 : health == Health.DOWN ? failures + 1 : failures;
    int s = health == Health.UP ? 0 : health == Health.SLOW ? slow + 1 : slow;
    return new ProbeVerdict(f, s, f >= policy.healthFailures() || s >= policy.slowProbeLimit());
  }

  /** A booting instance that has not answered 200 within the activation timeout failed to boot. */
  public static boolean bootTimedOut(Duration starting, Duration activationTimeout) {
    return !starting.minus(activationTimeout).isNegative();
  }

  /**
   * A draining instance is probed for its in-flight count only after {@code drainSettle}: the
   * gateways learn of the drain by pub/sub, and a request may still arrive before they do.
   */
  public static boolean probeDraining(Duration draining, ActivatorPolicy policy) {
    return !draining.minus(policy.drainSettle()).isNegative();
  }

  /** A draining instance with nothing in flight may stop (an unreadable count is not idle). */
  public static boolean idle(OptionalInt inFlight) {
    return inFlight.isPresent() && inFlight.getAsInt() == 0;
  }

  /** A draining instance is stopped after the drain timeout whatever it still serves. */
  public static boolean drainTimedOut(Duration draining, ActivatorPolicy policy) {
    return !draining.minus(policy.drainTimeout()).isNegative();
  }
}
