package io.zeroscale.autoscaler;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AutoscalerPropertiesTest {

  private static AutoscalerProperties props(
      double target, Duration stable, Duration panic, double threshold) {
    return new AutoscalerProperties(
        Duration.ofSeconds(2), target, stable, panic, threshold, Duration.ofSeconds(300));
  }

  @Test
  void specDefaultsAreValid() {
    assertThatCode(() -> props(0.7, Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsUtilizationOutsideZeroToOne() {
    assertThatThrownBy(() -> props(0, Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0))
        .hasMessageContaining("target-utilization");
    assertThatThrownBy(() -> props(1.2, Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0))
        .hasMessageContaining("target-utilization");
  }

  @Test
  void rejectsPanicWindowLongerThanStableWindow() {
    assertThatThrownBy(() -> props(0.7, Duration.ofSeconds(5), Duration.ofSeconds(6), 2.0))
        .hasMessageContaining("panic-window");
  }

  @Test
  void rejectsPanicThresholdAtOrBelowOne() {
    assertThatThrownBy(() -> props(0.7, Duration.ofSeconds(60), Duration.ofSeconds(6), 1.0))
        .hasMessageContaining("panic-threshold");
  }

  @Test
  void rejectsNonPositiveDurations() {
    assertThatThrownBy(
            () ->
                new AutoscalerProperties(
                    Duration.ZERO,
                    0.7,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(6),
                    2.0,
                    Duration.ofSeconds(300)))
        .hasMessageContaining("zeroscale.autoscaler.tick");
  }
}
