package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.observe.DeploymentSeries;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Security review (hG): the bounds of {@code GET /api/v1/deployments/{id}/metrics}. What one tenant
 * request may cost: the minutes of its range at most, read in a few Redis batches.
 */
class MetricsQueryBoundsTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  private static void rejected(String param, Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo(param);
              assertThat(e.error().type()).isEqualTo("invalid_request_error");
            });
  }

  @Test
  void sevenDaysOfMinuteKeysAreReadInAFewBatches() {
    // 1440 points of 7 minutes: 10080 zs:series keys, in batches of DeploymentSeries.BATCH_KEYS
    MetricsQuery q = MetricsQuery.parse("2026-11-29T12:00:00Z", "2026-12-06T12:00:00Z", "420", NOW);
    assertThat(q.points()).isEqualTo(1440);
    assertThat(q.toMinute() - q.fromMinute()).isEqualTo(10080);
    assertThat(DeploymentSeries.batches(q.fromMinute(), q.toMinute(), DeploymentSeries.BATCH_KEYS))
        .hasSizeLessThanOrEqualTo(20);
  }

  @Test
  void aStepOverTheRetentionIsRefusedAndALargeOneReadsOnlyTheRange() {
    rejected("step", () -> MetricsQuery.parse(null, null, "2147483640", NOW));
    rejected("step", () -> MetricsQuery.parse(null, null, "604860", NOW));
    // the largest step over the default hour: one point, 60 minute keys, not 10 080
    MetricsQuery q = MetricsQuery.parse(null, null, "604800", NOW);
    assertThat(q.points()).isEqualTo(1);
    assertThat(q.stepMinutes()).isEqualTo(10080);
    assertThat(q.toMinute() - q.fromMinute()).isEqualTo(60);
    assertThat(q.at(1)).isEqualTo(NOW);
  }

  @Test
  void farTimesAreA422NamingTheParameter() {
    // Instant.parse accepts years up to 999999999; toEpochMilli would overflow (a 500)
    rejected(
        "to",
        () ->
            MetricsQuery.parse(
                "+999999999-12-30T00:00:00Z", "+999999999-12-31T00:00:00Z", null, NOW));
    rejected("from", () -> MetricsQuery.parse("+999999999-12-30T00:00:00Z", null, null, NOW));
    rejected("from", () -> MetricsQuery.parse("-999999999-01-01T00:00:00Z", null, null, NOW));
    rejected("to", () -> MetricsQuery.parse(null, "2026-12-15T00:00:00Z", null, NOW));
    rejected("from", () -> MetricsQuery.parse("2026-11-28T00:00:00Z", null, "3600", NOW));
    // within the retention and a day of now, either side
    assertThat(MetricsQuery.parse(null, "2026-12-07T11:00:00Z", null, NOW).points()).isEqualTo(60);
    assertThat(
            MetricsQuery.parse("2026-11-29T13:00:00Z", "2026-11-29T14:00:00Z", null, NOW).points())
        .isEqualTo(60);
  }
}
