package io.zeroscale.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChargesTest {

  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  static final UUID DEP = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
  static final long A100 = 2_000_000;
  static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant DEC = Instant.parse("2026-12-01T00:00:00Z");
  static final Instant OCT = Instant.parse("2026-10-01T00:00:00Z");

  static LedgerEntry entry(String id, int gpus, long price, Instant start, Instant end) {
    return new LedgerEntry(id, TENANT, DEP, "chat", "A100-80GB", gpus, price, start, end);
  }

  @ParameterizedTest(name = "{0} GPU(s) for {1} s: billed {2} GPU-s, top-up {3}, ${4}")
  @CsvSource({
    // gpus, runtime s, billed GPU-s, top-up GPU-s, amount
    "1, 600, 3600, 3000, 2.00", //  10 minutes bill one hour
    "1, 5400, 5400, 0, 3.00", //    90 minutes bill 1.5 hours
    "2, 600, 7200, 6000, 4.00", //  two GPUs double it
    "2, 5400, 10800, 0, 6.00",
    "1, 3600, 3600, 0, 2.00", //    exactly the minimum
    "1, 3601, 3601, 0, 2.00", //    2.000555… → 2.00
    "1, 6, 3600, 3594, 2.00", //    a few seconds: the E2E case
    "8, 0, 28800, 28800, 16.00" //  scheduled and stopped in the same instant
  })
  void maxOfRuntimeAndOneHourTimesGpusTimesPrice(
      int gpus, long runtime, long billed, long topUp, String amount) {
    Instant start = Instant.parse("2026-11-10T10:00:00Z");
    LedgerEntry e = entry("i", gpus, A100, start, start.plusSeconds(runtime));
    Charge c = Charges.in(e, NOV, DEC, DEC);
    assertThat(c).isEqualTo(new Charge(runtime * gpus, billed, topUp));
    assertThat(Charges.amountUsd(c.billedGpuSeconds(), A100)).isEqualTo(new BigDecimal(amount));
  }

  @Test
  void aStartedSecondIsBilled() {
    Instant start = Instant.parse("2026-11-10T10:00:00.400Z");
    LedgerEntry e = entry("i", 1, A100, start, start.plus(Duration.ofMillis(3700_100)));
    assertThat(Charges.runtimeSeconds(e, DEC)).isEqualTo(3701);
    assertThat(Charges.in(e, NOV, DEC, DEC).billedGpuSeconds()).isEqualTo(3701);
  }

  @Test
  void theFirstHourFallsInTheMonthItStartedAndTheRestWhereItRuns() {
    // Oct 31 23:30 → Nov 1 01:30: 1 h (its first hour) in October, 1 h in November.
    LedgerEntry e =
        entry(
            "i",
            1,
            A100,
            Instant.parse("2026-10-31T23:30:00Z"),
            Instant.parse("2026-11-01T01:30:00Z"));
    Charge oct = Charges.in(e, OCT, NOV, DEC);
    Charge nov = Charges.in(e, NOV, DEC, DEC);
    assertThat(oct).isEqualTo(new Charge(1800, 3600, 0));
    assertThat(nov).isEqualTo(new Charge(5400, 3600, 0));
    assertThat(oct.billedGpuSeconds() + nov.billedGpuSeconds()).isEqualTo(7200);
    assertThat(Charges.amountUsd(oct.billedGpuSeconds(), A100)).isEqualByComparingTo("2.00");
    assertThat(Charges.amountUsd(nov.billedGpuSeconds(), A100)).isEqualByComparingTo("2.00");
  }

  @Test
  void aShortInstanceAcrossMidnightIsAllInItsFirstMonth() {
    LedgerEntry e =
        entry(
            "i",
            1,
            A100,
            Instant.parse("2026-10-31T23:50:00Z"),
            Instant.parse("2026-11-01T00:10:00Z"));
    assertThat(Charges.in(e, OCT, NOV, DEC)).isEqualTo(new Charge(600, 3600, 2400));
    assertThat(Charges.in(e, NOV, DEC, DEC)).isEqualTo(new Charge(600, 0, 0));
  }

  @Test
  void aRunningInstanceAccruesUpToNow() {
    Instant start = Instant.parse("2026-11-10T10:00:00Z");
    LedgerEntry running = entry("i", 1, A100, start, null);
    assertThat(Charges.in(running, NOV, DEC, start.plusSeconds(60)))
        .isEqualTo(new Charge(60, 3600, 3540));
    assertThat(Charges.in(running, NOV, DEC, start.plusSeconds(7200)))
        .isEqualTo(new Charge(7200, 7200, 0));
  }

  @Test
  void theCapturedPriceIsWhatCounts() {
    Instant start = Instant.parse("2026-11-10T10:00:00Z");
    LedgerEntry old = entry("a", 1, 2_000_000, start, start.plusSeconds(5400));
    LedgerEntry after = entry("b", 1, 2_500_000, start, start.plusSeconds(5400));
    assertThat(Charges.amountUsd(Charges.in(old, NOV, DEC, DEC).billedGpuSeconds(), 2_000_000))
        .isEqualByComparingTo("3.00");
    assertThat(Charges.amountUsd(Charges.in(after, NOV, DEC, DEC).billedGpuSeconds(), 2_500_000))
        .isEqualByComparingTo("3.75");
  }

  @ParameterizedTest
  @CsvSource({"1, 0.000278", "3594, 0.998333", "3600, 1.000000", "5400, 1.500000"})
  void hoursAreShownWithSixDecimals(long seconds, String hours) {
    assertThat(Charges.hours(seconds)).isEqualTo(new BigDecimal(hours));
  }

  @Test
  void halfEvenAtTheCent() {
    // 9 GPU-s at $2.00/h = $0.005 exactly → 0.00 (half to even); 27 GPU-s = $0.015 → 0.02.
    assertThat(Charges.amountUsd(9, A100)).isEqualTo(new BigDecimal("0.00"));
    assertThat(Charges.amountUsd(27, A100)).isEqualTo(new BigDecimal("0.02"));
  }
}
