package io.zeroscale.gateway.auth;

import io.zeroscale.gateway.settings.Checks;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zeroscale.auth.*}: how long key lookups are believed, and how failed authentication is
 * throttled.
 *
 * @param cacheTtl how long a key found in the store is served from memory; a revocation reaches
 *     every gateway at once over Redis, this bounds it if that message is lost
 * @param unknownKeyCacheSize secret hashes the store did not know, remembered at most (0: off)
 * @param unknownKeyCacheTtl how long such a miss is believed
 * @param failedAttempts failed authentications allowed at once per client address, then one per
 *     {@code failedAttemptsWindow / failedAttempts}; 0 turns the throttle off (e.g. behind a proxy
 *     that hides client addresses and does not send {@code X-Forwarded-For})
 * @param failedAttemptsWindow time in which a spent allowance fills up again
 * @param trackedAddresses client addresses with recent failures remembered at most
 * @param rotationGrace how long a key's previous secret keeps working after {@code POST
 *     /api/v1/keys/{id}/rotate} when the request names no {@code grace_s}; 0: it stops at once
 * @param maxRotationGrace the longest grace a rotation may ask for ({@code grace_s}); at most 7
 *     days
 */
@ConfigurationProperties("zeroscale.auth")
public record AuthProperties(
    @DefaultValue("60s") Duration cacheTtl,
    @DefaultValue("10000") int unknownKeyCacheSize,
    @DefaultValue("30s") Duration unknownKeyCacheTtl,
    @DefaultValue("20") int failedAttempts,
    @DefaultValue("10s") Duration failedAttemptsWindow,
    @DefaultValue("10000") int trackedAddresses,
    @DefaultValue("0s") Duration rotationGrace,
    @DefaultValue("24h") Duration maxRotationGrace) {

  /** Upper bound of both tables: 1 000 000 entries ≈ 200 MB, more than any gateway should hold. */
  static final int MAX_ENTRIES = 1_000_000;

  /** Longest time-to-live or window: past an hour a revoked key or a block outlives any need. */
  private static final Duration MAX_TIME = Duration.ofHours(1);

  /** Longest rotation grace: a week covers a slow redeploy cycle; longer is two live secrets. */
  static final Duration MAX_ROTATION_GRACE = Duration.ofDays(7);

  public AuthProperties {
    positive("cache-ttl", cacheTtl);
    positive("unknown-key-cache-ttl", unknownKeyCacheTtl);
    positive("failed-attempts-window", failedAttemptsWindow);
    range("unknown-key-cache-size", unknownKeyCacheSize, 0, MAX_ENTRIES);
    range("failed-attempts", failedAttempts, 0, 100_000);
    range("tracked-addresses", trackedAddresses, 1, MAX_ENTRIES);
    Checks.notNegative(
        "zeroscale.auth.max-rotation-grace", maxRotationGrace, "must not be negative");
    if (maxRotationGrace.compareTo(MAX_ROTATION_GRACE) > 0) {
      throw Checks.invalid(
          "zeroscale.auth.max-rotation-grace", maxRotationGrace, "must be at most 7d");
    }
    Checks.notNegative("zeroscale.auth.rotation-grace", rotationGrace, "must not be negative");
    if (rotationGrace.compareTo(maxRotationGrace) > 0) {
      throw Checks.invalid(
          "zeroscale.auth.rotation-grace",
          rotationGrace,
          "must be at most zeroscale.auth.max-rotation-grace (" + maxRotationGrace + ")");
    }
  }

  /** The defaults. */
  public static AuthProperties defaults() {
    return new AuthProperties(
        Duration.ofSeconds(60),
        10_000,
        Duration.ofSeconds(30),
        20,
        Duration.ofSeconds(10),
        10_000,
        Duration.ZERO,
        Duration.ofHours(24));
  }

  public UnknownKeys unknownKeys() {
    return new UnknownKeys(unknownKeyCacheSize, unknownKeyCacheTtl);
  }

  public FailedAuthThrottle throttle() {
    return failedAttempts == 0
        ? FailedAuthThrottle.OFF
        : new FailedAuthThrottle(failedAttempts, failedAttemptsWindow, trackedAddresses);
  }

  private static void positive(String name, Duration value) {
    Checks.positiveAtMost(
        "zeroscale.auth." + name, value, MAX_TIME, "must be positive and at most 1h");
  }

  private static void range(String name, int value, int min, int max) {
    Checks.range(
        "zeroscale.auth." + name, value, min, max, "must be between " + min + " and " + max);
  }
}
