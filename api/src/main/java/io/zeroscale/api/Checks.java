package io.zeroscale.api;

import java.time.Duration;

/**
 * Validation of a settings record's values, for the compact constructors of the modules'
 * {@code @ConfigurationProperties} records: a failed check throws an {@link
 * IllegalArgumentException} that names the property, e.g. {@code zeroscale.activator.tick must be a
 * positive duration, got PT0S}.
 *
 * @param prefix the properties' prefix with its trailing dot, e.g. {@code zeroscale.activator.}
 */
public record Checks(String prefix) {

  /** The error for a value of property {@code name} (kebab-case, without the prefix). */
  public IllegalArgumentException invalid(String name, Object value, String why) {
    return new IllegalArgumentException(prefix + name + " " + why + ", got " + value);
  }

  /** Throws {@link #invalid} unless {@code ok}. */
  public void check(boolean ok, String name, Object value, String why) {
    if (!ok) {
      throw invalid(name, value, why);
    }
  }

  public void positive(String name, Duration value) {
    check(value != null && value.isPositive(), name, value, "must be a positive duration");
  }

  public void nonNegative(String name, Duration value) {
    check(value != null && !value.isNegative(), name, value, "must not be negative");
  }

  public void atLeastOne(String name, int value) {
    check(value >= 1, name, value, "must be >= 1");
  }

  /** {@code value} is at most {@code limit}, which the message calls {@code limitName}. */
  public void notOver(String name, Duration value, Duration limit, String limitName) {
    check(value.compareTo(limit) <= 0, name, value, "must not exceed " + limitName);
  }

  public void moreThanOne(String name, double value) {
    check(value > 1, name, value, "must be > 1");
  }

  public void fractionBelowOne(String name, double value) {
    check(value >= 0 && value < 1, name, value, "must be in [0, 1)");
  }

  /**
   * A leader's loop: {@code tick} and {@code lease-ttl} are positive, and the lease outlives three
   * ticks of its holder, so one slow tick does not lose it.
   */
  public void leaderLoop(Duration tick, Duration leaseTtl) {
    positive("tick", tick);
    positive("lease-ttl", leaseTtl);
    check(
        leaseTtl.compareTo(tick.multipliedBy(3)) >= 0,
        "lease-ttl",
        leaseTtl,
        "must be at least 3 ticks (" + tick + ")");
  }
}
