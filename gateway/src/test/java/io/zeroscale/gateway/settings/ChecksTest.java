package io.zeroscale.gateway.settings;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {

  @Test
  void positiveRefusesNullZeroAndNegative() {
    for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
      assertThatThrownBy(() -> Checks.positive("a.b", bad, "must be positive"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a.b must be positive, got " + bad);
    }
    assertThatCode(() -> Checks.positive("a.b", Duration.ofNanos(1), "x"))
        .doesNotThrowAnyException();
  }

  @Test
  void positiveAtMostIncludesItsBound() {
    Duration hour = Duration.ofHours(1);
    assertThatCode(() -> Checks.positiveAtMost("a.b", hour, hour, "x")).doesNotThrowAnyException();
    assertThatThrownBy(() -> Checks.positiveAtMost("a.b", hour.plusNanos(1), hour, "at most 1h"))
        .hasMessage("a.b at most 1h, got PT1H0.000000001S");
    assertThatThrownBy(() -> Checks.positiveAtMost("a.b", Duration.ZERO, hour, "at most 1h"))
        .hasMessage("a.b at most 1h, got PT0S");
  }

  @Test
  void rangeIncludesBothEnds() {
    assertThatCode(() -> Checks.range("n", 1, 1, 3, "x")).doesNotThrowAnyException();
    assertThatCode(() -> Checks.range("n", 3, 1, 3, "x")).doesNotThrowAnyException();
    assertThatThrownBy(() -> Checks.range("n", 0, 1, 3, "must be 1..3"))
        .hasMessage("n must be 1..3, got 0");
    assertThatThrownBy(() -> Checks.range("n", 4, 1, 3, "must be 1..3"))
        .hasMessage("n must be 1..3, got 4");
  }
}
