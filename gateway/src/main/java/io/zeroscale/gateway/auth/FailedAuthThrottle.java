package io.zeroscale.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Throttles failed authentication per client address: a token bucket of {@code attempts} failures
 * per address, refilled at {@code attempts / window}. With the defaults (20 per 10 s) an address
 * may fail 20 times at once and then once every 500 ms; a brute force from one address gets at most
 * 2 guesses a second, about 173 000 a day, against keys of 238 random bits.
 *
 * <p>Only failures take tokens, so a well-behaved client never has a bucket. The table holds at
 * most {@code maxAddresses} buckets (least recently used dropped first: 10 000 ≈ 1.5 MB); an
 * address dropped from it starts again with a full bucket, which costs an attacker with more
 * addresses than that nothing he could not get from the extra addresses anyway.
 *
 * <p>Time is passed in by the caller (its injected clock). Thread-safe; the lock is only taken on
 * paths that already cost more (a key store lookup or a failure).
 */
public final class FailedAuthThrottle {

  /** A throttle that never blocks. */
  public static final FailedAuthThrottle OFF = new FailedAuthThrottle(0, Duration.ofSeconds(1), 1);

  private final int attempts;
  private final Duration interval;
  private final Duration burst;

  /**
   * Per address, the bucket as the instant it would be full again (the "theoretical arrival time"
   * of the generic cell rate algorithm): {@code tokens = attempts - (full - now) / interval}. Exact
   * in whole nanoseconds, one value per address.
   */
  private final Map<String, Instant> fullAt;

  /**
   * @param attempts failures allowed at once per address; 0 turns throttling off
   * @param window time in which a spent bucket fills up again
   * @param maxAddresses addresses remembered at most
   */
  public FailedAuthThrottle(int attempts, Duration window, int maxAddresses) {
    this.attempts = attempts;
    this.interval = attempts == 0 ? window : window.dividedBy(attempts);
    // A failure is allowed while at least one token is left: full - now <= (attempts - 1) *
    // interval.
    this.burst = interval.multipliedBy(Math.max(0, attempts - 1));
    this.fullAt =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > maxAddresses;
          }
        };
  }

  /**
   * How long {@code client} must wait before it may fail again; {@link Duration#ZERO} when it may
   * now. While it must wait, nothing it presents is looked up.
   */
  public Duration blockedFor(String client, Instant now) {
    if (attempts == 0) {
      return Duration.ZERO;
    }
    synchronized (fullAt) {
      Instant full = fullAt.get(client);
      if (full == null) {
        return Duration.ZERO;
      }
      // 20 failures at once with 500 ms each: full 10 s ahead, 9.5 s allowed, blocked for 500 ms.
      Duration wait = Duration.between(now, full).minus(burst);
      return wait.isPositive() ? wait : Duration.ZERO;
    }
  }

  /** Takes one token from {@code client}'s bucket (never below zero). */
  public void recordFailure(String client, Instant now) {
    if (attempts == 0) {
      return;
    }
    synchronized (fullAt) {
      Instant full = fullAt.get(client);
      Instant from = full == null || full.isBefore(now) ? now : full;
      Instant noneLeft = now.plus(interval.multipliedBy(attempts));
      Instant next = from.plus(interval);
      fullAt.put(client, next.isAfter(noneLeft) ? noneLeft : next);
    }
  }

  int trackedAddresses() {
    synchronized (fullAt) {
      return fullAt.size();
    }
  }
}
