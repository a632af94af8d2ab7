package io.zeroscale.api.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a contender knows of its {@link LeaderLease} between renewals: whether it holds it, and
 * until when. Each renewal's answer moves it: held (it leads until now + ttl), not held (another
 * contender leads), or no answer (Redis unreachable: a leader keeps leading, acting on nothing,
 * until its lease would have expired). The activator and the autoscaler follow the same rule.
 */
public final class LeaseState {

  /** What one answer did to the lease. */
  public enum Change {
    /** It holds the lease now and did not before. */
    GAINED,
    /** It held the lease and still does, for another ttl. */
    RENEWED,
    /** Another contender holds the lease; it did not. */
    FOLLOWING,
    /** Another contender holds the lease, which it held until now. */
    TAKEN,
    /** No answer, and its lease (if any) has not expired yet. */
    UNREACHABLE,
    /** No answer, and the lease it held has expired meanwhile. */
    EXPIRED;

    /** Whether it leads after this answer. */
    public boolean leads() {
      return this == GAINED || this == RENEWED;
    }
  }

  private volatile boolean held;
  private volatile Instant until = Instant.MIN;

  public boolean held() {
    return held;
  }

  /**
   * Applies one renewal's answer at {@code now}.
   *
   * @param answer whether it holds the lease, or empty when Redis could not be asked
   * @param ttl the lease's time to live
   */
  public synchronized Change apply(Optional<Boolean> answer, Instant now, Duration ttl) {
    if (answer.isEmpty()) {
      if (held && !now.isBefore(until)) {
        held = false;
        return Change.EXPIRED;
      }
      return Change.UNREACHABLE;
    }
    if (!answer.get()) {
      if (held) {
        held = false;
        return Change.TAKEN;
      }
      return Change.FOLLOWING;
    }
    until = now.plus(ttl);
    if (held) {
      return Change.RENEWED;
    }
    held = true;
    return Change.GAINED;
  }

  /** No longer leads (shutdown, or the lease given up). */
  public void drop() {
    held = false;
  }
}
