package io.zeroscale.api.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one clock tests move by hand (ARCHITECTURE §4.3: time is injected). Shared with every module
 * through api's test jar, so that no module grows its own. Safe to read from another thread (a loop
 * under test) while the test moves it; it never moves by itself.
 */
public final class MutableClock extends Clock {

  private final AtomicReference<Instant> now;

  private MutableClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /** A clock standing at {@code start} (UTC). */
  public static MutableClock at(Instant start) {
    return new MutableClock(start);
  }

  /** A clock standing at {@code iso}, e.g. {@code "2026-11-01T00:00:00Z"}. */
  public static MutableClock at(String iso) {
    return new MutableClock(Instant.parse(iso));
  }

  /** Moves the clock forward (or back, with a negative duration) and answers the new time. */
  public Instant advance(Duration by) {
    Objects.requireNonNull(by, "by");
    return now.updateAndGet(t -> t.plus(by));
  }

  /** Moves the clock by {@code millis} milliseconds. */
  public Instant advanceMillis(long millis) {
    return advance(Duration.ofMillis(millis));
  }

  /** Puts the clock at {@code instant}. */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** The same moving clock: a zone changes nothing the tests look at. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
