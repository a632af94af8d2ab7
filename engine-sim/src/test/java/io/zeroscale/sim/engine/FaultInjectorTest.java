package io.zeroscale.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {

  private static int failures(FaultInjector injector, int draws) {
    int failures = 0;
    for (int i = 0; i < draws; i++) {
      if (injector.shouldFail()) {
        failures++;
      }
    }
    return failures;
  }

  @Test
  void rateZeroNeverFails() {
    assertThat(failures(new FaultInjector(0, 1), 10_000)).isZero();
  }

  @Test
  void rateOneAlwaysFails() {
    assertThat(failures(new FaultInjector(1, 1), 10_000)).isEqualTo(10_000);
  }

  @Test
  void rateIsHonouredOverManyRequests() {
    // 10 000 draws at p = 0.3: standard deviation ≈ 46, so ±300 is over 6 sigma.
    assertThat(failures(new FaultInjector(0.3, 7), 10_000)).isBetween(2_700, 3_300);
  }

  @Test
  void theSameSeedFailsTheSameRequests() {
    List<Boolean> first = new ArrayList<>();
    List<Boolean> second = new ArrayList<>();
    FaultInjector a = new FaultInjector(0.5, 42);
    FaultInjector b = new FaultInjector(0.5, 42);
    for (int i = 0; i < 100; i++) {
      first.add(a.shouldFail());
      second.add(b.shouldFail());
    }
    assertThat(first).isEqualTo(second).contains(true, false);
  }

  @Test
  void rejectsRatesOutsideZeroToOne() {
    assertThatThrownBy(() -> new FaultInjector(1.1, 0)).hasMessageContaining("1.1");
    assertThatThrownBy(() -> new FaultInjector(Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
