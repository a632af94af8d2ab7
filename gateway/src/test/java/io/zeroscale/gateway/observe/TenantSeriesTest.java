package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class TenantSeriesTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static long ms(long millis) {
    return millis * 1_000_000L;
  }

  @Test
  void bucketsByUpperBound() {
    assertThat(LatencyBuckets.index(0)).isZero();
    assertThat(LatencyBuckets.index(ms(5))).isZero();
    assertThat(LatencyBuckets.index(ms(5) + 1)).isEqualTo(1);
    assertThat(LatencyBuckets.index(ms(1000))).isEqualTo(7);
    assertThat(LatencyBuckets.index(ms(300_000))).isEqualTo(14);
    assertThat(LatencyBuckets.index(ms(300_001))).isEqualTo(15);
    assertThat(LatencyBuckets.COUNT).isEqualTo(LatencyBuckets.boundsMs().size() + 1);
  }

  @Test
  void percentilesAreInterpolatedInTheirBucket() {
    long[] counts = new long[LatencyBuckets.COUNT];
    assertThat(LatencyBuckets.percentile(counts, 0.5)).isNull();
    // 100 requests between 500 and 1000 ms
    counts[7] = 100;
    assertThat(LatencyBuckets.percentile(counts, 0.5)).isEqualTo(750.0);
    assertThat(LatencyBuckets.percentile(counts, 0.95)).isEqualTo(975.0);
    // 50 more, fast (0-5 ms): the median is now in the fast bucket's neighbour
    counts[0] = 100;
    assertThat(LatencyBuckets.percentile(counts, 0.5)).isEqualTo(5.0);
    assertThat(LatencyBuckets.percentile(counts, 0.95)).isEqualTo(950.0);
    long[] slow = new long[LatencyBuckets.COUNT];
    slow[LatencyBuckets.COUNT - 1] = 3;
    assertThat(LatencyBuckets.percentile(slow, 0.95)).isEqualTo(300_000.0);
  }

  @Test
  void gatewaysAddUpAndGaugesKeepTheHighest() {
    MinuteSeries a = new MinuteSeries();
    a.requests[MinuteSeries.classIndex(200)] += 3;
    a.requests[MinuteSeries.classIndex(404)] += 1;
    a.latency[2] = 4;
    a.tokensIn = 10;
    a.queued = 2L;
    a.ready = 1L;
    MinuteSeries b = MinuteSeries.read(JSON, a.write(JSON));
    b.requests[MinuteSeries.classIndex(503)] += 2;
    b.requests[MinuteSeries.classIndex(302)] += 1;
    b.queued = 5L;
    b.desired = 3L;
    MinuteSeries sum = new MinuteSeries();
    sum.add(a);
    sum.add(b);
    assertThat(sum.total()).isEqualTo(11);
    assertThat(sum.requests).containsExactly(6, 2, 2, 1);
    assertThat(sum.latency[2]).isEqualTo(8);
    assertThat(sum.tokensIn).isEqualTo(20);
    assertThat(sum.queued).isEqualTo(5L);
    assertThat(sum.desired).isEqualTo(3L);
    assertThat(sum.ready).isEqualTo(1L);
    assertThat(new MinuteSeries().json()).containsEntry("queue_depth", null);
  }

  @Test
  void oldOrPartialPayloadsRead() {
    MinuteSeries s = MinuteSeries.read(JSON, "{\"requests\":{\"2xx\":2},\"extra\":1}");
    assertThat(s.total()).isEqualTo(2);
    assertThat(s.queued).isNull();
  }

  @Test
  void recordingCountsInTheMinute() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:30Z"), ZoneOffset.UTC);
    DeploymentSeries series =
        new DeploymentSeries(
            null, JSON, clock, Duration.ofSeconds(10), DeploymentSeries.noGauges());
    series.record("d", 200, ms(7), OptionalLong.of(ms(3)), Optional.of(new Usage(5, 7, 12)));
    series.record("d", 429, ms(1), OptionalLong.empty(), Optional.empty());
    series.record("other", 200, ms(1), OptionalLong.empty(), Optional.empty());
    long minute = DeploymentSeries.minuteOf(clock.instant());
    assertThat(minute).isEqualTo(clock.millis() / 60_000);
    MinuteSeries d = series.counted("d", minute);
    assertThat(d.requests).containsExactly(1, 1, 0, 0);
    assertThat(d.latency[0]).isEqualTo(1);
    assertThat(d.latency[1]).isEqualTo(1);
    assertThat(d.ttft[0]).isEqualTo(1);
    assertThat(d.tokensIn).isEqualTo(5);
    assertThat(d.tokensOut).isEqualTo(7);
    assertThat(series.counted("d", minute + 1).total()).isZero();
  }
}
