package io.zeroscale.activator.reconcile;

import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;

/**
 * A deployment's consecutive boot failures and the rules on them: backoff before the next launch,
 * {@code failed} after the limit, a wake-up's retry after the cooldown, and which exits count.
 *
 * @param count failures in a row
 * @param last what the last one said, or null
 * @param nextLaunchAt no launch before this (backoff), or null
 * @param failedAt when the count reached the limit, or null
 */
public record BootFailures(int count, String last, Instant nextLaunchAt, Instant failedAt) {

  /** No failure yet. */
  public static final BootFailures NONE = new BootFailures(0, null, null, null);

  /**
   * One more failure: the next launch waits {@link ActivatorPolicy#backoffAfter} (1 s, 2 s, 4 s
   * with the defaults); at the limit the deployment is failed from now.
   */
  public BootFailures after(String detail, Instant now, ActivatorPolicy policy) {
    int n = count + 1;
    return new BootFailures(
        n, detail, now.plus(policy.backoffAfter(n)), n >= policy.failureLimit() ? now : failedAt);
  }

  /** Whether the failures reached the limit. */
  public boolean failed() {
    return failedAt != null;
  }

  /** A failed deployment ignores wake-ups until the cooldown after it failed has passed. */
  public boolean coolingDown(Instant now, ActivatorPolicy policy) {
    return failedAt != null && now.isBefore(failedAt.plus(policy.failureCooldown()));
  }

  /** The reason a failed deployment shows, or null before any failure. */
  public String reason() {
    if (last == null) {
      return null;
    }
    return "instances failed to start "
        + count
        + " time(s) in a row (crash loop or image error); last: "
        + last;
  }

  /** How an instance's own exit counts. */
  public enum Exit {
    /** During boot, or within {@code stableAfter} of readiness: towards {@code failed}. */
    BOOT_FAILURE,
    /** A ready, stable instance crashed: replaced, without counting. */
    CRASH,
    /** It was leaving anyway (draining): just stopped. */
    STOP,
    /** It was being stopped: the exit is what was asked for. */
    NONE
  }

  /**
   * How the exit of an instance in {@code phase} counts; {@code inPhase} is how long it has been in
   * it. Crashing right after readiness is a crash loop too: with a 60 s {@code stableAfter}, an
   * instance that dies 10 s after it became ready counts towards {@code failed}.
   */
  public static Exit onExit(Phase phase, Duration inPhase, ActivatorPolicy policy) {
    return switch (phase) {
      case PENDING, STARTING -> Exit.BOOT_FAILURE;
      case READY -> inPhase.compareTo(policy.stableAfter()) < 0 ? Exit.BOOT_FAILURE : Exit.CRASH;
      case DRAINING -> Exit.STOP;
      case STOPPING -> Exit.NONE;
    };
  }

  /** An instance ready for {@code stableAfter} clears its deployment's failure count. */
  public static boolean clears(Phase phase, Duration inPhase, ActivatorPolicy policy) {
    return phase == Phase.READY && inPhase.compareTo(policy.stableAfter()) >= 0;
  }
}
