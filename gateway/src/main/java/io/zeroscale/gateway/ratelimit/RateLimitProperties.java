package io.zeroscale.gateway.ratelimit;

import io.zeroscale.gateway.auth.Principal;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zeroscale.rate-limits.*}. A key's limits come from the key, else its tenant, else the
 * defaults here; unset everywhere means no limit (and no Redis call).
 *
 * @param enabled false turns every limit off (no Redis call at all)
 * @param defaultRequestsPerMinute for keys whose key and tenant set none; null = no limit
 * @param defaultMaxConcurrentRequests the same for requests in flight; null = no limit
 * @param redisTimeout how long a request waits for Redis before it is let through unchecked (fail
 *     open); a warm check takes ~0.3 ms on a local Redis, so 250 ms only ever trips on an outage
 * @param failOpenFor after a Redis failure, requests skip Redis (let through unchecked) this long,
 *     so that an outage does not add {@code redisTimeout} to every request
 * @param lease how long a concurrency slot outlives its gateway: a gateway renews its slots every
 *     third of it, and a dead gateway's slots come back within one lease
 */
@ConfigurationProperties("zeroscale.rate-limits")
public record RateLimitProperties(
    @DefaultValue("true") boolean enabled,
    Integer defaultRequestsPerMinute,
    Integer defaultMaxConcurrentRequests,
    @DefaultValue("250ms") Duration redisTimeout,
    @DefaultValue("5s") Duration failOpenFor,
    @DefaultValue("30s") Duration lease) {

  /** Same bounds as the admin API's fields (and the database's CHECK constraints). */
  static final int MAX_LIMIT = 1_000_000;

  public RateLimitProperties {
    limit("default-requests-per-minute", defaultRequestsPerMinute);
    limit("default-max-concurrent-requests", defaultMaxConcurrentRequests);
    if (redisTimeout == null
        || redisTimeout.isNegative()
        || redisTimeout.isZero()
        || redisTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException(
          "zeroscale.rate-limits.redis-timeout must be positive and at most 10s, got "
              + redisTimeout);
    }
    if (failOpenFor == null || failOpenFor.isNegative()) {
      throw new IllegalArgumentException(
          "zeroscale.rate-limits.fail-open-for must be zero or positive, got " + failOpenFor);
    }
    // Renewed every lease / 3: at 3 s that is every second, the least we want to spend on it.
    if (lease == null || lease.compareTo(Duration.ofSeconds(3)) < 0) {
      throw new IllegalArgumentException(
          "zeroscale.rate-limits.lease must be at least 3s, got " + lease);
    }
  }

  /** The defaults alone: all limits off, the timings above. */
  public static RateLimitProperties defaults() {
    return new RateLimitProperties(
        true, null, null, Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /** The configured defaults, as limits a principal's can fall back to. */
  public Principal.Limits defaultLimits() {
    return new Principal.Limits(defaultRequestsPerMinute, defaultMaxConcurrentRequests);
  }

  private static void limit(String name, Integer value) {
    if (value != null && (value < 1 || value > MAX_LIMIT)) {
      throw new IllegalArgumentException(
          "zeroscale.rate-limits."
              + name
              + " must be between 1 and "
              + MAX_LIMIT
              + " (or unset for no limit), got "
              + value);
    }
  }
}
