package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.RedisSchema;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;
import reactor.core.publisher.Mono;
import redis.embedded.RedisServer;
import tools.jackson.databind.json.JsonMapper;

/** Two gateways' minutes in a real Redis: written with expiry, read back summed. */
class DeploymentSeriesRedisTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:10Z");

  private static RedisServer server;
  private static RedissonClient client;

  @BeforeAll
  static void startRedis() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            // No dump.rdb at shutdown: it would keep embedded-redis\'s temporary directory alive.
            .setting("save \"\"")
            .build();
    server.start();
    Config config = new Config();
    config.setNettyThreads(4);
    config.useSingleServer().setAddress("redis://127.0.0.1:" + port);
    client = Redisson.create(config);
  }

  @AfterAll
  static void stopRedis() throws IOException {
    if (client != null) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.stop();
    }
  }

  private static DeploymentSeries gateway(Instant now, long queued) {
    return new DeploymentSeries(
        client.reactive(),
        JSON,
        Clock.fixed(now, ZoneOffset.UTC),
        Duration.ofSeconds(10),
        () -> Mono.just(Map.of("d", new long[] {queued, 2, 1})));
  }

  @Test
  void gatewaysMinutesAreSummedAndOtherDeploymentsKeptApart() {
    DeploymentSeries a = gateway(T0, 4);
    DeploymentSeries b = gateway(T0, 1);
    for (int i = 0; i < 3; i++) {
      a.record("d", 200, 30_000_000L, OptionalLong.empty(), Optional.empty());
    }
    a.record("d", 400, 1_000_000L, OptionalLong.empty(), Optional.empty());
    b.record("d", 200, 700_000_000L, OptionalLong.of(80_000_000L), Optional.empty());
    b.record("d", 503, 2_000_000L, OptionalLong.empty(), Optional.empty());
    b.record("other", 200, 1_000_000L, OptionalLong.empty(), Optional.empty());
    a.flush().block(Duration.ofSeconds(5));
    b.flush().block(Duration.ofSeconds(5));
    // a flush with nothing new rewrites nothing, and a second one the same running totals
    a.flush().block(Duration.ofSeconds(5));

    long minute = DeploymentSeries.minuteOf(T0);
    assertThat(client.getMap(RedisSchema.series("d", minute)).remainTimeToLive())
        .isGreaterThan(Duration.ofDays(6).toMillis());
    List<MinuteSeries> points = a.read("d", minute - 1, 1, 3).block(Duration.ofSeconds(5));
    assertThat(points).hasSize(3);
    assertThat(points.get(0).total()).isZero();
    MinuteSeries p = points.get(1);
    assertThat(p.requests).containsExactly(4, 1, 1, 0);
    assertThat(p.queued).as("the highest gateway's sample").isEqualTo(4L);
    assertThat(p.desired).isEqualTo(2L);
    // 2 in 0-5 ms, 3 in 25-50 ms, 1 in 500-1000 ms: the 3rd of 6 is a third into 25-50 ms,
    // the 5.7th 70 % into 500-1000 ms
    assertThat(p.json().get("latency_ms")).isEqualTo(Map.of("p50", 33.3, "p95", 850.0));
    assertThat(points.get(2).total()).isZero();
    assertThat(a.read("other", minute, 1, 1).block(Duration.ofSeconds(5)).getFirst().total())
        .isEqualTo(1);
    // two steps of 1 minute and one step of 2 minutes cover the same requests
    assertThat(a.read("d", minute, 2, 1).block(Duration.ofSeconds(5)).getFirst().total())
        .isEqualTo(6);
  }

  @Test
  void readsInBatchesOnlyTheMinutesOfTheRange() {
    Instant t = T0.plus(Duration.ofMinutes(30));
    long minute = DeploymentSeries.minuteOf(t);
    DeploymentSeries w = gateway(t, 0);
    w.record("batched", 200, 1_000_000L, OptionalLong.empty(), Optional.empty());
    w.flush().block(Duration.ofSeconds(5));
    DeploymentSeries w2 = gateway(t.plus(Duration.ofMinutes(5)), 0);
    w2.record("batched", 500, 1_000_000L, OptionalLong.empty(), Optional.empty());
    w2.flush().block(Duration.ofSeconds(5));

    // batches of 3 keys: the 10 minutes from minute - 3 are 4 batches, summed in order
    DeploymentSeries reader =
        new DeploymentSeries(
            client.reactive(),
            JSON,
            Clock.fixed(t, ZoneOffset.UTC),
            Duration.ofSeconds(10),
            DeploymentSeries.noGauges(),
            3);
    long before = hgetalls();
    List<MinuteSeries> points =
        reader.readRange("batched", minute - 3, minute + 7, 1).block(Duration.ofSeconds(5));
    assertThat(hgetalls() - before).as("one HGETALL per minute, none again").isEqualTo(10);
    assertThat(points).hasSize(10);
    assertThat(points.get(3).requests).containsExactly(1, 0, 0, 0);
    assertThat(points.get(8).requests).containsExactly(0, 0, 1, 0);
    assertThat(points.stream().mapToLong(MinuteSeries::total).sum()).isEqualTo(2);

    // steps of 4 minutes: [m-3, m+1) [m+1, m+5) [m+5, m+7), the last one cut at the range's end
    List<MinuteSeries> steps =
        reader.readRange("batched", minute - 3, minute + 7, 4).block(Duration.ofSeconds(5));
    assertThat(steps).extracting(MinuteSeries::total).containsExactly(1L, 0L, 1L);
    // a range that stops before minute + 5 does not read it
    assertThat(
            reader.readRange("batched", minute - 3, minute + 5, 1440).block(Duration.ofSeconds(5)))
        .extracting(MinuteSeries::total)
        .containsExactly(1L);
  }

  /** How many HGETALL the Redis server has run. */
  private static long hgetalls() {
    Map<String, String> stats =
        client
            .getRedisNodes(RedisNodes.SINGLE)
            .getInstance()
            .info(RedisNode.InfoSection.COMMANDSTATS);
    String line = stats.getOrDefault("cmdstat_hgetall", "calls=0,");
    return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
  }

  @Test
  void batchesCoverTheRangeOnceInRunsOfAtMostTheSize() {
    assertThat(DeploymentSeries.batches(10, 20, 4))
        .containsExactly(new long[] {10, 14}, new long[] {14, 18}, new long[] {18, 20});
    // seven days of minutes: 20 round trips, not 10 080
    assertThat(DeploymentSeries.batches(0, 10_080, DeploymentSeries.BATCH_KEYS)).hasSize(20);
  }

  @Test
  void refusesReadsLargerThanTheRetentionOrTheMostPoints() {
    DeploymentSeries reader = gateway(T0, 0);
    assertThatThrownBy(
            () -> reader.readRange("d", 0, DeploymentSeries.MAX_READ_MINUTES + 1, 10_080))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> reader.readRange("d", 0, 1441, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> reader.readRange("d", 5, 5, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
