package io.zeroscale.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LedgerRulesTest {

  static final UUID TENANT = UUID.randomUUID();
  static final UUID DEP = UUID.randomUUID();
  static final Instant T0 = Instant.parse("2026-11-10T10:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(5);
  static final OptionalLong PRICE = OptionalLong.of(2_000_000);

  static LedgerRules.Facts facts(
      Instant scheduled, Instant stopped, Instant heartbeat, OptionalLong captured) {
    return new LedgerRules.Facts(
        "i1", TENANT, DEP, "A100-80GB", 1, scheduled, stopped, heartbeat, captured);
  }

  static Optional<LedgerRules.Row> project(LedgerRules.Facts f, Instant now) {
    return LedgerRules.project(f, PRICE, now, TIMEOUT);
  }

  @Test
  void notBillableBeforeItsScheduledEventEvenIfStoppedArrivedFirst() {
    // Out of order: stopped delivered before scheduled.
    assertThat(project(facts(null, T0.plusSeconds(600), null, OptionalLong.empty()), T0)).isEmpty();
    // Then scheduled arrives: closed at the stop, as if they had come in order.
    assertThat(
            project(facts(T0, T0.plusSeconds(600), null, OptionalLong.empty()), T0.plusSeconds(601))
                .orElseThrow())
        .extracting(
            LedgerRules.Row::startedAt, LedgerRules.Row::endedAt, LedgerRules.Row::endSource)
        .containsExactly(T0, T0.plusSeconds(600), "stopped");
  }

  @Test
  void theSameFactsGiveTheSameRowWhateverTheRepetition() {
    LedgerRules.Facts f = facts(T0, T0.plusSeconds(600), null, OptionalLong.empty());
    Instant now = T0.plusSeconds(700);
    assertThat(project(f, now)).isEqualTo(project(f, now));
    // Projected again later, with the price now captured on the row: unchanged.
    assertThat(project(facts(T0, T0.plusSeconds(600), null, PRICE), now.plusSeconds(3600)))
        .isEqualTo(project(f, now));
  }

  @Test
  void runningWhileHeartbeatsComeIn() {
    Instant beat = T0.plusSeconds(600);
    LedgerRules.Row row =
        project(facts(T0, null, beat, OptionalLong.empty()), beat.plus(TIMEOUT).minusSeconds(1))
            .orElseThrow();
    assertThat(row.endedAt()).isNull();
    assertThat(row.endSource()).isNull();
  }

  @Test
  void anInstanceWhoseActivatorDiedIsClosedAtItsLastHeartbeat() {
    Instant beat = T0.plusSeconds(600);
    LedgerRules.Row row =
        project(facts(T0, null, beat, OptionalLong.empty()), beat.plus(TIMEOUT)).orElseThrow();
    assertThat(row.endedAt()).isEqualTo(beat);
    assertThat(row.endSource()).isEqualTo("heartbeat");
    // Billed: max(10 min, 1 h) = 1 h.
    LedgerEntry e =
        new LedgerEntry("i1", TENANT, DEP, "chat", "A100-80GB", 1, 2_000_000, T0, row.endedAt());
    assertThat(Charges.in(e, T0, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(1))))
        .isEqualTo(new Charge(600, 3600, 3000));
  }

  @Test
  void withoutAnyHeartbeatItIsClosedAtItsStart() {
    LedgerRules.Row row =
        project(facts(T0, null, null, OptionalLong.empty()), T0.plus(TIMEOUT)).orElseThrow();
    assertThat(row.endedAt()).isEqualTo(T0);
  }

  @Test
  void aLateStoppedEventWinsOverTheHeartbeatClose() {
    Instant beat = T0.plusSeconds(600);
    LedgerRules.Row row =
        project(facts(T0, T0.plusSeconds(900), beat, PRICE), beat.plus(TIMEOUT.multipliedBy(3)))
            .orElseThrow();
    assertThat(row.endedAt()).isEqualTo(T0.plusSeconds(900));
    assertThat(row.endSource()).isEqualTo("stopped");
  }

  @Test
  void aStopBeforeTheStartClosesAtTheStart() {
    LedgerRules.Row row =
        project(facts(T0, T0.minusSeconds(2), null, OptionalLong.empty()), T0).orElseThrow();
    assertThat(row.endedAt()).isEqualTo(T0);
  }

  @Test
  void thePriceIsCapturedOnceAndAPriceChangeDoesNotAlterIt() {
    LedgerRules.Facts first = facts(T0, null, T0, OptionalLong.empty());
    assertThat(LedgerRules.project(first, OptionalLong.of(2_000_000), T0, TIMEOUT).orElseThrow())
        .extracting(LedgerRules.Row::microsPerGpuHour)
        .isEqualTo(2_000_000L);
    // The catalog now says 2.50; the row has 2.00 captured: it stays.
    LedgerRules.Facts again = facts(T0, null, T0, OptionalLong.of(2_000_000));
    assertThat(LedgerRules.project(again, OptionalLong.of(2_500_000), T0, TIMEOUT).orElseThrow())
        .extracting(LedgerRules.Row::microsPerGpuHour)
        .isEqualTo(2_000_000L);
  }

  @Test
  void anUnpricedGpuIsNotBilledUntilItIsPriced() {
    assertThat(
            LedgerRules.project(
                facts(T0, null, null, OptionalLong.empty()), OptionalLong.empty(), T0, TIMEOUT))
        .isEmpty();
  }
}
