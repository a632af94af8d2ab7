package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.redis.LiveEntry;
import io.zeroscale.api.redis.LiveEntry.Phase;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantObservabilityTest {

  private static final Instant NOW = Instant.parse("2026-12-06T10:00:30Z");

  private static void rejected(String param, Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo(param);
            });
  }

  @Test
  void metricsDefaultToTheLastHourByMinute() {
    MetricsQuery q = MetricsQuery.parse(null, null, null, NOW);
    assertThat(q.stepMinutes()).isEqualTo(1);
    // 09:00:30 .. 10:00:30, whole minutes: 09:00 .. 10:01
    assertThat(q.points()).isEqualTo(61);
    assertThat(q.at(0)).isEqualTo(Instant.parse("2026-12-06T09:00:00Z"));
  }

  @Test
  void metricsParameters() {
    MetricsQuery q = MetricsQuery.parse("2026-12-06T08:00:00Z", "1796551200", "300", NOW);
    assertThat(q.stepMinutes()).isEqualTo(5);
    assertThat(q.points()).isEqualTo(24);
    rejected("step", () -> MetricsQuery.parse(null, null, "90", NOW));
    rejected("step", () -> MetricsQuery.parse(null, null, "0", NOW));
    rejected("step", () -> MetricsQuery.parse(null, null, "abc", NOW));
    rejected("from", () -> MetricsQuery.parse("yesterday", null, null, NOW));
    rejected("to", () -> MetricsQuery.parse(null, "2026-13-01", null, NOW));
    rejected("from", () -> MetricsQuery.parse("2026-12-06T11:00:00Z", null, null, NOW));
    rejected("from", () -> MetricsQuery.parse("2026-11-20T00:00:00Z", null, "3600", NOW));
    // two days by minute: 2880 points, over the bound
    rejected("step", () -> MetricsQuery.parse("2026-12-04T10:00:00Z", null, "60", NOW));
  }

  @Test
  void tailParameter() {
    assertThat(TenantObservabilityController.tail(null)).isEqualTo(100);
    assertThat(TenantObservabilityController.tail("1")).isEqualTo(1);
    assertThat(TenantObservabilityController.tail("1000")).isEqualTo(1000);
    rejected("tail", () -> TenantObservabilityController.tail("0"));
    rejected("tail", () -> TenantObservabilityController.tail("1001"));
    rejected("tail", () -> TenantObservabilityController.tail("ten"));
  }

  @Test
  void instanceStatesAndLastFailures() {
    LiveEntry live =
        new LiveEntry(
            2,
            1,
            0,
            2,
            1,
            NOW,
            List.of(
                new LiveEntry.Instance("p", Phase.PENDING, null, 3),
                new LiveEntry.Instance("busy", Phase.READY, NOW, 3, "A100-80GB", 2),
                new LiveEntry.Instance("free", Phase.READY, NOW, 3, "A100-80GB", 0),
                new LiveEntry.Instance("old", Phase.DRAINING, NOW, 2)));
    List<String> events =
        List.of(
            "{\"at\":2000,\"kind\":\"instance\",\"instance_id\":\"old\",\"type\":\"failed\","
                + "\"detail\":\"failed its health probes\"}",
            "{\"at\":1000,\"kind\":\"instance\",\"instance_id\":\"old\",\"type\":\"failed\","
                + "\"detail\":\"older\"}",
            "{\"at\":1000,\"from\":0,\"to\":1}",
            "not json");
    List<Map<String, Object>> out = InstanceViews.of(live, events);
    assertThat(out)
        .extracting(m -> m.get("state"))
        .containsExactly("starting", "processing", "idle", "draining");
    assertThat(out.get(1))
        .containsEntry("gpu", "A100-80GB")
        .containsEntry("requests_in_flight", 2)
        .containsEntry("revision", 3)
        .containsEntry("last_failure", null);
    assertThat(out.get(3).get("last_failure"))
        .isEqualTo(Map.of("at", "1970-01-01T00:00:02Z", "reason", "failed its health probes"));
    assertThat(InstanceViews.of(null, events)).isEmpty();
  }
}
