package io.zeroscale.gateway.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Where the counts shared by every gateway live (Redis in production, {@link RedisRateStore}). The
 * {@link KeyRateLimiter} decides; this only counts. Any method may fail or hang: the limiter bounds
 * each call with a timeout and fails open.
 */
public interface RateStore {

  /** Takes one request from the key's bucket of {@code perMinute} requests per minute. */
  Mono<Consumption> consume(UUID keyId, int perMinute);

  /**
   * Takes one of the key's {@code max} concurrency slots as {@code permit}, held for {@code lease}
   * from {@code now} unless renewed; answers false when all are taken. Slots whose lease ended by
   * {@code now} are free.
   */
  Mono<Boolean> acquire(UUID keyId, int max, String permit, Instant now, Duration lease);

  /** Frees a slot; freeing one that is gone (expired, or never taken) is fine. */
  Mono<Void> release(UUID keyId, String permit);

  /** Extends the lease of those of the key's slots that still exist to {@code now + lease}. */
  Mono<Void> renew(UUID keyId, Collection<String> permits, Instant now, Duration lease);

  /** The bucket's answer. */
  sealed interface Consumption {

    /**
     * @param remaining requests left after this one
     * @param resetIn until the bucket is full again
     */
    record Consumed(long remaining, Duration resetIn) implements Consumption {}

    /**
     * @param retryAfter until the next request can be taken
     * @param resetIn until the bucket is full again
     */
    record Rejected(Duration retryAfter, Duration resetIn) implements Consumption {}
  }
}
