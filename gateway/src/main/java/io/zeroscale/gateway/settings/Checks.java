package io.zeroscale.gateway.settings;

import java.time.Duration;

/**
 * The checks of the gateway's {@code @ConfigurationProperties} records, in one place: each failure
 * names the property and the value it got, e.g. {@code zeroscale.gateway.server.body-timeout must
 * be a positive duration, got PT0S}. The rule text is the caller's, so that every record keeps its
 * own wording.
 */
public final class Checks {

  private Checks() {}

  /** Fails unless {@code value} is a duration above zero. */
  public static void positive(String key, Duration value, String rule) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw invalid(key, value, rule);
    }
  }

  /** Fails unless {@code value} is a duration of zero or more. */
  public static void notNegative(String key, Duration value, String rule) {
    if (value == null || value.isNegative()) {
      throw invalid(key, value, rule);
    }
  }

  /** Fails unless {@code value} is above zero and at most {@code max}. */
  public static void positiveAtMost(String key, Duration value, Duration max, String rule) {
    if (value == null || value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
      throw invalid(key, value, rule);
    }
  }

  /** Fails unless {@code min <= value <= max}. */
  public static void range(String key, long value, long min, long max, String rule) {
    if (value < min || value > max) {
      throw invalid(key, value, rule);
    }
  }

  /** {@code <key> <rule>, got <value>}. */
  public static IllegalArgumentException invalid(String key, Object value, String rule) {
    return new IllegalArgumentException(key + " " + rule + ", got " + value);
  }
}
