package io.zeroscale.autoscaler;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AutoscalerPropertiesTest {

  private static AutoscalerProperties props(
      Duration tick, Duration lease, double threshold, double down, double tolerance) {
    return new AutoscalerProperties(
        true,
        tick,
        lease,
        Duration.ofSeconds(6),
        threshold,
        1000,
        down,
        tolerance,
        false,
        Duration.ofMillis(500),
        100);
  }

  @Test
  void defaultsAreValid() {
    assertThatCode(() -> props(Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0, 2, 0.1))
        .doesNotThrowAnyException();
  }

  @Test
  void leaseMustCoverThreeTicks() {
    assertThatThrownBy(() -> props(Duration.ofSeconds(2), Duration.ofSeconds(5), 2.0, 2, 0.1))
        .hasMessageContaining("zeroscale.autoscaler.lease-ttl");
  }

  @Test
  void rejectsPanicThresholdAtOrBelowOne() {
    assertThatThrownBy(() -> props(Duration.ofSeconds(1), Duration.ofSeconds(10), 1.0, 2, 0.1))
        .hasMessageContaining("panic-threshold");
  }

  @Test
  void rejectsScaleDownRateAtOrBelowOneAndToleranceOutsideZeroToOne() {
    assertThatThrownBy(() -> props(Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0, 1, 0.1))
        .hasMessageContaining("max-scale-down-rate");
    assertThatThrownBy(() -> props(Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0, 2, 1))
        .hasMessageContaining("scale-down-tolerance");
  }

  @Test
  void rejectsNonPositiveDurations() {
    assertThatThrownBy(() -> props(Duration.ZERO, Duration.ofSeconds(10), 2.0, 2, 0.1))
        .hasMessageContaining("zeroscale.autoscaler.tick");
  }
}
