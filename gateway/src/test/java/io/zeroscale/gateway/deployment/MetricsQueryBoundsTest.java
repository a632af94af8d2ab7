package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Security review (hG): the bounds of {@code GET /api/v1/deployments/{id}/metrics}. Pins what one
 * tenant request may cost today (the fix changes these assertions).
 */
class MetricsQueryBoundsTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void oneRequestMayReadSevenDaysOfMinuteKeys() {
    // 1440 points of 7 minutes: 10080 zs:series keys, each one HGETALL, for one call
    MetricsQuery q = MetricsQuery.parse("2026-11-29T12:00:00Z", "2026-12-06T12:00:00Z", "420", NOW);
    assertThat(q.points()).isEqualTo(1440);
    assertThat((long) q.points() * q.stepMinutes()).isEqualTo(10080);
  }

  @Test
  void aHugeStepOverTheDefaultHourReadsMillionsOfMinuteKeys() {
    // step is bounded below only: one point of 35 791 394 minutes, each a zs:series key that
    // DeploymentSeries.read fetches (HGETALL) and keeps in a list until the last one answers
    MetricsQuery q = MetricsQuery.parse(null, null, "2147483640", NOW);
    assertThat(q.points()).isEqualTo(1);
    assertThat((long) q.points() * q.stepMinutes()).isEqualTo(35_791_394L);
  }

  @Test
  void aFarFutureTimeIsNotA422ButAnArithmeticException() {
    // Instant.parse accepts years up to 999999999; toEpochMilli then overflows: a 500, not a 422
    assertThatThrownBy(
            () ->
                MetricsQuery.parse(
                    "+999999999-12-30T00:00:00Z", "+999999999-12-31T00:00:00Z", null, NOW))
        .isInstanceOf(ArithmeticException.class);
  }
}
