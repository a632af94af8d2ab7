package io.zeroscale.billing.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.billing.ledger.LedgerEntry;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spend limit's rules: what a month has cost, what a boot reserves, whether it fits. */
class SpendLimitRulesTest {

  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  static final UUID DEP = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
  static final YearMonth NOV = YearMonth.of(2026, 11);
  static final long A100 = 2_000_000;

  static LedgerEntry entry(String start, String end, int gpus) {
    return new LedgerEntry(
        "i-" + start,
        TENANT,
        DEP,
        "chat",
        "A100-80GB",
        gpus,
        A100,
        Instant.parse(start),
        end == null ? null : Instant.parse(end));
  }

  @Test
  void spentIsTheMonthsBilledTimeRoundedUpOnce() {
    Instant now = Instant.parse("2026-11-20T00:00:00Z");
    List<LedgerEntry> entries =
        List.of(
            // 90 min on one GPU: $3.00.
            entry("2026-11-02T10:00:00Z", "2026-11-02T11:30:00Z", 1),
            // 10 min on two GPUs: the first hour of each, $4.00.
            entry("2026-11-03T10:00:00Z", "2026-11-03T10:10:00Z", 2),
            // One second past the hour: 3601 × 2 000 000 / 3600 = 2 000 555.5… → 2 000 556 µ$.
            entry("2026-11-04T10:00:00Z", "2026-11-04T11:00:01Z", 1),
            // Started in October, ran 2 h into November: only the November hour counts ($2.00).
            entry("2026-10-31T23:00:00Z", "2026-11-01T02:00:00Z", 1));
    assertThat(SpendLimitRules.spentMicros(entries, NOV, now))
        .isEqualTo(3_000_000 + 4_000_000 + 2_000_556 + 4_000_000);
  }

  @Test
  void aRunningInstanceHasAccruedUpToNow() {
    List<LedgerEntry> running = List.of(entry("2026-11-02T10:00:00Z", null, 1));
    assertThat(SpendLimitRules.spentMicros(running, NOV, Instant.parse("2026-11-02T10:05:00Z")))
        .as("the first hour is charged at the start")
        .isEqualTo(2_000_000);
    assertThat(SpendLimitRules.spentMicros(running, NOV, Instant.parse("2026-11-02T12:00:00Z")))
        .isEqualTo(4_000_000);
  }

  @Test
  void aBootReservesItsFirstHourOnEveryGpu() {
    assertThat(SpendLimitRules.firstHourMicros(OptionalLong.of(A100), 2)).isEqualTo(4_000_000);
    assertThat(SpendLimitRules.firstHourMicros(OptionalLong.empty(), 8))
        .as("an unpriced GPU type is not billed, so it reserves nothing")
        .isZero();
  }

  @ParameterizedTest(name = "limit {0}, spent {1}, reserved {2}, first hour {3}: allowed {4}")
  @CsvSource({
    "5000000, 0, 0, 4000000, true",
    "5000000, 1000000, 0, 4000000, true", //  exactly what is left
    "5000000, 1000001, 0, 4000000, false",
    "5000000, 0, 2000000, 4000000, false", // reservations of other boots count
    // Unpriced GPUs cost nothing, so they fit; a reached limit stops them through exhausted().
    "5000000, 5000000, 0, 0, true",
    "5000000, 5000000, 0, 1, false"
  })
  void aBootIsAllowedOnlyWhenItsFirstHourFits(
      long limit, long spent, long reserved, long firstHour, boolean allowed) {
    Reservation r =
        SpendLimitRules.decide(new Budget(NOV, limit, spent, reserved), firstHour, "A100-80GB", 2);
    if (allowed) {
      assertThat(r).isInstanceOf(Reservation.Allowed.class);
    } else {
      assertThat(r)
          .isInstanceOfSatisfying(
              Reservation.Refused.class,
              f ->
                  assertThat(f.reason())
                      .startsWith("spend limit reached: The spend limit of $5.00 for 2026-11")
                      .contains("an instance of 2 × A100-80GB"));
    }
  }

  @Test
  void aReachedLimitScalesDownOncePerMonthAndAgainAfterItWasLifted() {
    SpendLimitRules.ScaleDowns scaleDowns = new SpendLimitRules.ScaleDowns();
    Budget reached = new Budget(NOV, 1_000_000, 1_000_000, 0);
    Budget lifted = new Budget(NOV, 9_000_000, 1_000_000, 0);

    assertThat(scaleDowns.due(TENANT, reached)).isTrue();
    assertThat(scaleDowns.due(TENANT, reached)).as("once, not on every pass").isFalse();
    assertThat(scaleDowns.due(UUID.randomUUID(), reached)).as("per tenant").isTrue();
    assertThat(scaleDowns.due(TENANT, lifted)).isFalse();
    assertThat(scaleDowns.due(TENANT, reached)).as("reached again after a raise").isTrue();
    assertThat(scaleDowns.due(TENANT, new Budget(NOV.plusMonths(1), 1_000_000, 1_000_000, 0)))
        .as("a new month")
        .isTrue();
  }
}
