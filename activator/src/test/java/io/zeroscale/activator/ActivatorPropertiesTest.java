package io.zeroscale.activator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActivatorPropertiesTest {

  private static ActivatorProperties props(
      String runtime, Duration tick, Duration leaseTtl, int failureLimit) {
    return new ActivatorProperties(
        true,
        runtime,
        tick,
        leaseTtl,
        failureLimit,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        Duration.ofSeconds(2),
        Duration.ofSeconds(120),
        3,
        Duration.ofSeconds(1),
        Duration.ofSeconds(20));
  }

  @Test
  void theDefaultsAreValid() {
    ActivatorProperties p = props("kubernetes", Duration.ofSeconds(1), Duration.ofSeconds(3), 1);
    assertThat(p.runtime()).isEqualTo("kubernetes");
    assertThat(p.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void anUnknownRuntimeIsRefused() {
    assertThatThrownBy(() -> props("docker", Duration.ofSeconds(1), Duration.ofSeconds(10), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.runtime")
        .hasMessageContaining("docker");
  }

  @Test
  void theLeaseMustLastAtLeastThreeTicks() {
    assertThatThrownBy(() -> props("process", Duration.ofSeconds(2), Duration.ofMillis(5999), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.lease-ttl")
        .hasMessageContaining("3 ticks");
  }

  @Test
  void theFailureLimitMustBePositive() {
    assertThatThrownBy(() -> props("process", Duration.ofSeconds(1), Duration.ofSeconds(10), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.failure-limit")
        .hasMessageContaining("0");
  }

  @Test
  void aZeroTickIsRefused() {
    assertThatThrownBy(() -> props("process", Duration.ZERO, Duration.ofSeconds(10), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.tick");
  }
}
