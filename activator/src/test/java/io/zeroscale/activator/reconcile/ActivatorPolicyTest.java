package io.zeroscale.activator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActivatorPolicyTest {

  private static ActivatorPolicy policy(Duration backoff) {
    return new ActivatorPolicy(
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        3,
        backoff,
        Duration.ofSeconds(60),
        Duration.ofSeconds(2),
        Duration.ofSeconds(120),
        Duration.ofSeconds(30),
        3,
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        30,
        Duration.ofSeconds(5),
        Duration.ofMillis(250),
        Duration.ofMillis(50));
  }

  @Test
  void backoffDoublesPerFailureUpTo30Seconds() {
    ActivatorPolicy p = policy(Duration.ofSeconds(1));
    assertThat(p.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoffAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoffAfter(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.backoffAfter(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.backoffAfter(5)).isEqualTo(Duration.ofSeconds(16));
    // 32 s would be next: capped.
    assertThat(p.backoffAfter(6)).isEqualTo(ActivatorPolicy.MAX_BACKOFF);
    assertThat(p.backoffAfter(6)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void manyFailuresStayAtTheCapWithoutOverflow() {
    ActivatorPolicy p = policy(Duration.ofSeconds(1));
    assertThat(p.backoffAfter(21)).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.backoffAfter(1_000)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theFirstDelayIsTheConfiguredBackoff() {
    ActivatorPolicy p = policy(Duration.ofMillis(250));
    assertThat(p.backoffAfter(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(p.backoffAfter(3)).isEqualTo(Duration.ofSeconds(1));
  }
}
