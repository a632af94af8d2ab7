package io.zeroscale.gateway.ratelimit;

import java.time.Duration;

/** What the rate limiter answers for one request: let it through, or 429. */
public sealed interface RateDecision {

  /**
   * {@code limit} when no requests-per-minute limit is in force (the headers are then left out).
   */
  long UNLIMITED = -1;

  /**
   * Let the request through; run {@code release()} once it has finished (streams included, also on
   * error or cancellation). It is idempotent: a second run does nothing.
   *
   * @param limit requests per minute in force, or {@link #UNLIMITED}
   * @param remaining requests left in the bucket after this one, or {@link #UNLIMITED}
   * @param resetIn until the bucket is full again
   * @param release frees this request's concurrency slot
   */
  record Allowed(long limit, long remaining, Duration resetIn, Runnable release)
      implements RateDecision {

    /** No limit applies (or none could be checked): nothing to release, no headers. */
    static Allowed unlimited() {
      return new Allowed(UNLIMITED, UNLIMITED, Duration.ZERO, () -> {});
    }
  }

  /**
   * Answer 429.
   *
   * @param message for the client, says which limit and when to retry
   * @param limit requests per minute in force, or {@link #UNLIMITED} (a concurrency limit alone)
   * @param remaining requests left in the bucket, or {@link #UNLIMITED}
   * @param resetIn until the bucket is full again
   * @param retryAfter until a retry can succeed; positive
   */
  record Limited(String message, long limit, long remaining, Duration resetIn, Duration retryAfter)
      implements RateDecision {

    /**
     * {@code Retry-After} in whole seconds, rounded up and at least 1: a client told "0" would
     * retry at once and be refused again. 12.000 s → 12, 0.2 s → 1, 12.001 s → 13.
     */
    public long retryAfterSeconds() {
      long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
      return Math.max(1, seconds);
    }
  }
}
