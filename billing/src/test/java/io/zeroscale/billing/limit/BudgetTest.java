package io.zeroscale.billing.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import org.junit.jupiter.api.Test;

class BudgetTest {

  static final YearMonth NOV = YearMonth.of(2026, 11);

  @Test
  void aLimitBelowOneGpuHourFitsNoBoot() {
    Budget b = new Budget(NOV, 1_000_000, 0, 0);
    assertThat(b.reached()).isFalse();
    assertThat(b.fits(2_000_000)).isFalse();
    assertThat(b.refusal("an instance of `acme/chat` (1 × A100-80GB)", 2_000_000))
        .contains("$1.00 for 2026-11")
        .contains("$1.00 left")
        .contains("at least $2.00");
  }

  @Test
  void reservationsCountUntilTheLedgerChargesThem() {
    Budget b = new Budget(NOV, 5_000_000, 2_000_000, 2_000_000);
    assertThat(b.remainingMicros()).isEqualTo(1_000_000);
    assertThat(b.fits(2_000_000)).isFalse();
    assertThat(b.fits(1_000_000)).isTrue();
  }

  @Test
  void reachedAtTheLimit() {
    assertThat(new Budget(NOV, 4_000_000, 4_000_000, 0).reached()).isTrue();
    assertThat(new Budget(NOV, 4_000_000, 4_000_001, 0).reached()).isTrue();
    assertThat(new Budget(NOV, 4_000_000, 3_999_999, 0).reached()).isFalse();
  }
}
