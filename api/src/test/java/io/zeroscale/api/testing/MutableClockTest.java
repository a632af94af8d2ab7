package io.zeroscale.api.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  @Test
  void standsStillUntilMoved() {
    MutableClock clock = MutableClock.at("2026-11-01T00:00:00Z");
    Instant t0 = clock.instant();
    assertThat(clock.instant()).isEqualTo(t0);
    assertThat(clock.millis()).isEqualTo(t0.toEpochMilli());

    assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(t0.plusSeconds(90));
    assertThat(clock.advanceMillis(-500)).isEqualTo(t0.plusMillis(89_500));
    assertThat(clock.millis()).isEqualTo(t0.toEpochMilli() + 89_500);

    clock.set(Instant.EPOCH);
    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void aZoneGivesTheSameMovingClock() {
    MutableClock clock = MutableClock.at(Instant.EPOCH);
    var zoned = clock.withZone(ZoneId.of("Europe/Rome"));
    clock.advance(Duration.ofMinutes(1));
    assertThat(zoned.instant()).isEqualTo(Instant.EPOCH.plusSeconds(60));
  }

  @Test
  void refusesNulls() {
    MutableClock clock = MutableClock.at(Instant.EPOCH);
    assertThatNullPointerException().isThrownBy(() -> clock.advance(null));
    assertThatNullPointerException().isThrownBy(() -> clock.set(null));
    assertThatNullPointerException().isThrownBy(() -> MutableClock.at((Instant) null));
  }
}
