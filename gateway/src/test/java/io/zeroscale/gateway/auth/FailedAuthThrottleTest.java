package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailedAuthThrottleTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  /** The defaults: 20 failures at once, then one every 500 ms. */
  private final FailedAuthThrottle throttle = new FailedAuthThrottle(20, Duration.ofSeconds(10), 3);

  private void fail(String client, int times, Instant at) {
    for (int i = 0; i < times; i++) {
      throttle.recordFailure(client, at);
    }
  }

  @Test
  void twentyFailuresAtOnceThenBlockedUntilOneIsBack() {
    fail("10.0.0.1", 19, T0);
    assertThat(throttle.blockedFor("10.0.0.1", T0)).isZero();
    fail("10.0.0.1", 1, T0);
    assertThat(throttle.blockedFor("10.0.0.1", T0)).isEqualTo(Duration.ofMillis(500));
    assertThat(throttle.blockedFor("10.0.0.1", T0.plusMillis(200)))
        .isEqualTo(Duration.ofMillis(300));
    assertThat(throttle.blockedFor("10.0.0.1", T0.plusMillis(500))).isZero();
    assertThat(throttle.blockedFor("10.0.0.2", T0)).as("another address").isZero();
  }

  @Test
  void aHammeringClientGetsOneAttemptPerRefillNotMore() {
    fail("10.0.0.1", 20, T0);
    // Failures while blocked do not push the bucket below zero: after 500 ms one is back.
    fail("10.0.0.1", 100, T0.plusMillis(100));
    assertThat(throttle.blockedFor("10.0.0.1", T0.plusMillis(600))).isZero();
    fail("10.0.0.1", 1, T0.plusMillis(600));
    assertThat(throttle.blockedFor("10.0.0.1", T0.plusMillis(600))).isPositive();
  }

  @Test
  void aSpentBucketIsFullAgainAfterTheWindow() {
    fail("10.0.0.1", 20, T0);
    Instant later = T0.plusSeconds(10);
    fail("10.0.0.1", 19, later);
    assertThat(throttle.blockedFor("10.0.0.1", later)).isZero();
    fail("10.0.0.1", 1, later);
    assertThat(throttle.blockedFor("10.0.0.1", later)).isPositive();
  }

  @Test
  void theTableIsBoundedDroppingTheLeastRecentlyUsedAddress() {
    fail("a", 20, T0);
    fail("b", 20, T0);
    fail("c", 20, T0);
    assertThat(throttle.blockedFor("a", T0)).as("a used last").isPositive();
    fail("d", 20, T0);
    assertThat(throttle.trackedAddresses()).isEqualTo(3);
    assertThat(throttle.blockedFor("b", T0)).as("least recently used, dropped").isZero();
    assertThat(throttle.blockedFor("a", T0)).isPositive();
    assertThat(throttle.blockedFor("d", T0)).isPositive();
  }

  @Test
  void offNeverBlocksAndRemembersNothing() {
    for (int i = 0; i < 1000; i++) {
      FailedAuthThrottle.OFF.recordFailure("10.0.0.1", T0);
    }
    assertThat(FailedAuthThrottle.OFF.blockedFor("10.0.0.1", T0)).isZero();
    assertThat(FailedAuthThrottle.OFF.trackedAddresses()).isZero();
  }
}
