package io.zeroscale.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.gateway.auth.Principal;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import redis.embedded.RedisServer;

/**
 * The limiter on a real Redis (embedded, 6.2), with two limiters on two Redis clients standing in
 * for two gateways. They share one hand-moved clock, so bucket refills and slot leases are exact.
 */
class RedisRateLimiterTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  private static RedisServer redis;
  private static RedissonClient client1;
  private static RedissonClient client2;

  private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-01T00:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void startRedis() throws IOException {
    int port = freePort();
    redis =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            // No dump.rdb at shutdown: it would keep embedded-redis\'s temporary directory alive.
            .setting("save \"\"")
            .build();
    redis.start();
    client1 = client(port);
    client2 = client(port);
  }

  @AfterAll
  static void stopRedis() throws IOException {
    for (RedissonClient c : new RedissonClient[] {client1, client2}) {
      if (c != null) {
        c.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
    if (redis != null) {
      redis.stop();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static RedissonClient client(int port) {
    Config config = new Config();
    config.setNettyThreads(4);
    config
        .useSingleServer()
        .setAddress("redis://127.0.0.1:" + port)
        .setConnectionMinimumIdleSize(2)
        .setConnectionPoolSize(8)
        .setRetryAttempts(0)
        .setConnectTimeout(5_000)
        .setTimeout(5_000);
    return Redisson.create(config);
  }

  /**
   * A client that would wait long for a dead server (3 retries 10 s apart, 10 s timeout), so that a
   * quick answer can only come from the limiter's own timeout.
   */
  private static RedissonClient patientClient(int port) {
    Config config = new Config();
    config.setNettyThreads(4);
    config
        .useSingleServer()
        .setAddress("redis://127.0.0.1:" + port)
        .setConnectionMinimumIdleSize(1)
        .setConnectionPoolSize(2)
        .setRetryAttempts(3)
        .setRetryDelay(new ConstantDelay(Duration.ofSeconds(10)))
        .setConnectTimeout(10_000)
        .setTimeout(10_000);
    return Redisson.create(config);
  }

  /**
   * A limiter whose Redis timeout no loaded machine reaches: these tests are about the limits, and
   * a slow answer would fail open and hide them (the fail-open test sets its own 250 ms).
   */
  private KeyRateLimiter gateway(RedissonClient client) {
    return gateway(client, Duration.ofSeconds(5));
  }

  private KeyRateLimiter gateway(RedissonClient client, Duration timeout) {
    return new KeyRateLimiter(
        RedisRateStore.create(client, clock),
        new RateLimitProperties(true, null, null, timeout, Duration.ofSeconds(5), LEASE),
        clock,
        meters);
  }

  private static Principal key(Integer rpm, Integer concurrent) {
    return new Principal(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "acme",
        Set.of("inference:*"),
        new Principal.Limits(rpm, concurrent));
  }

  private static RateDecision acquire(KeyRateLimiter limiter, Principal p) {
    return limiter.acquire(p).block(Duration.ofSeconds(15));
  }

  /** Set by the one test that makes the limiter fail open on purpose. */
  private boolean failsOpenOnPurpose;

  /** A decision that failed open would pass some assertions by accident: none may have. */
  @AfterEach
  void noDecisionFailedOpen() {
    if (!failsOpenOnPurpose) {
      assertThat(
              meters
                  .counter("zeroscale.failopen", "dependency", "redis", "path", "ratelimit")
                  .count())
          .as("decisions that failed open")
          .isZero();
    }
  }

  @Test
  void requestsPerMinuteAreSharedByTwoGateways() {
    KeyRateLimiter gw1 = gateway(client1);
    KeyRateLimiter gw2 = gateway(client2);
    Principal p = key(5, null);
    for (int i = 0; i < 5; i++) {
      RateDecision d = acquire(i % 2 == 0 ? gw1 : gw2, p);
      assertThat(d).as("request %d", i + 1).isInstanceOf(RateDecision.Allowed.class);
      assertThat(((RateDecision.Allowed) d).remaining()).isEqualTo(4 - i);
    }
    RateDecision.Limited sixth = (RateDecision.Limited) acquire(gw2, p);
    // 5 a minute, refilled greedily: one request back every 12 s; full again after 60 s.
    assertThat(sixth.retryAfter()).isEqualTo(Duration.ofSeconds(12));
    assertThat(sixth.resetIn()).isEqualTo(Duration.ofSeconds(60));
    assertThat(sixth.limit()).isEqualTo(5);
    assertThat(acquire(gw1, p)).isInstanceOf(RateDecision.Limited.class);

    clock.advance(Duration.ofSeconds(12));
    assertThat(acquire(gw1, p)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(acquire(gw2, p)).isInstanceOf(RateDecision.Limited.class);
    assertThat(meters.counter("zeroscale.ratelimit.limited", "kind", "requests").count())
        .isEqualTo(3.0);
  }

  @Test
  void concurrencyIsSharedByTwoGatewaysAndASlotComesBackOnRelease() {
    KeyRateLimiter gw1 = gateway(client1);
    KeyRateLimiter gw2 = gateway(client2);
    Principal p = key(null, 2);
    RateDecision.Allowed a = (RateDecision.Allowed) acquire(gw1, p);
    assertThat(acquire(gw2, p)).isInstanceOf(RateDecision.Allowed.class);
    RateDecision.Limited third = (RateDecision.Limited) acquire(gw1, p);
    assertThat(third.retryAfterSeconds()).isEqualTo(1);
    assertThat(acquire(gw2, p)).isInstanceOf(RateDecision.Limited.class);

    a.release().run();
    // The release is sent without waiting for Redis; it lands within a round trip.
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> acquire(gw2, p) instanceof RateDecision.Allowed);
    assertThat(acquire(gw1, p)).isInstanceOf(RateDecision.Limited.class);
  }

  @Test
  void aDeadGatewaysSlotsComeBackAfterOneLease() {
    KeyRateLimiter dead = gateway(client1);
    KeyRateLimiter alive = gateway(client2);
    Principal p = key(null, 2);
    acquire(dead, p);
    acquire(dead, p);
    assertThat(acquire(alive, p)).isInstanceOf(RateDecision.Limited.class);
    clock.advance(LEASE.minusSeconds(1));
    assertThat(acquire(alive, p)).isInstanceOf(RateDecision.Limited.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(acquire(alive, p)).isInstanceOf(RateDecision.Allowed.class);
  }

  @Test
  void aLiveGatewayRenewsItsSlotsPastTheirFirstLease() {
    KeyRateLimiter holder = gateway(client1);
    KeyRateLimiter other = gateway(client2);
    Principal p = key(null, 1);
    RateDecision.Allowed held = (RateDecision.Allowed) acquire(holder, p);

    clock.advance(Duration.ofSeconds(10));
    holder.renewLeases().block(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(25));
    // 35 s after it was taken, 25 s after its renewal: still held.
    assertThat(acquire(other, p)).isInstanceOf(RateDecision.Limited.class);

    held.release().run();
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> acquire(other, p) instanceof RateDecision.Allowed);
    // A released slot is not brought back by a later renewal.
    holder.renewLeases().block(Duration.ofSeconds(5));
    assertThat(holder.slotsInFlight()).isZero();
  }

  @Test
  void anUnreachableRedisFailsOpenAndIsCounted() throws IOException {
    int port = freePort();
    RedisServer own =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            // No dump.rdb at shutdown: it would keep embedded-redis\'s temporary directory alive.
            .setting("save \"\"")
            .build();
    own.start();
    RedissonClient client = patientClient(port);
    try {
      Principal p = key(1, 1);
      // While Redis is up, a patient limiter (a cold Lua script load may take a while here).
      KeyRateLimiter before = gateway(client);
      assertThat(acquire(before, p)).isInstanceOf(RateDecision.Allowed.class);
      assertThat(acquire(before, p)).isInstanceOf(RateDecision.Limited.class);
      failsOpenOnPurpose = true;
      KeyRateLimiter gw = gateway(client, Duration.ofMillis(250));
      own.stop();
      // Past the refusal's Retry-After, so that the limiter has to ask Redis.
      clock.advance(Duration.ofMinutes(2));
      // An answer at all proves the bound: this client's own retries against a dead server take
      // at least 3 × 10 s, longer than acquire()'s 15 s block, so only the limiter's redis-timeout
      // (250 ms) can produce this fail-open decision in time. No stopwatch: machines vary.
      RateDecision d = acquire(gw, p);
      assertThat(d).isInstanceOf(RateDecision.Allowed.class);
      assertThat(((RateDecision.Allowed) d).limit()).isEqualTo(RateDecision.UNLIMITED);
      assertThat(
              meters
                  .counter("zeroscale.failopen", "dependency", "redis", "path", "ratelimit")
                  .count())
          .isEqualTo(1.0);
      // The next ones skip Redis for fail-open-for.
      assertThat(acquire(gw, p)).isInstanceOf(RateDecision.Allowed.class);
      assertThat(
              meters
                  .counter("zeroscale.failopen", "dependency", "redis", "path", "ratelimit")
                  .count())
          .isEqualTo(2.0);
    } finally {
      client.shutdown(0, 1, TimeUnit.SECONDS);
      own.stop();
    }
  }

  /** Not an assertion on time (machines vary): prints what one warm check costs. */
  @Test
  void measuresTheWarmPerRequestCost() {
    KeyRateLimiter gw = gateway(client1);
    Principal both = key(1_000_000, 1_000);
    Principal rpmOnly = key(1_000_000, null);
    Principal slotOnly = key(null, 1_000);
    for (Principal p : new Principal[] {both, rpmOnly, slotOnly}) {
      for (int i = 0; i < 200; i++) {
        release(acquire(gw, p));
      }
    }
    String report = "";
    for (Principal p : new Principal[] {both, rpmOnly, slotOnly}) {
      int n = 500;
      long[] micros = new long[n];
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        RateDecision d = acquire(gw, p);
        micros[i] = (System.nanoTime() - t) / 1_000;
        assertThat(d).isInstanceOf(RateDecision.Allowed.class);
        release(d);
      }
      Arrays.sort(micros);
      report +=
          String.format(
              "%n  rpm=%s concurrency=%s: p50 %d µs, p90 %d µs, p99 %d µs",
              p.limits().requestsPerMinute(),
              p.limits().maxConcurrentRequests(),
              micros[n / 2],
              micros[n * 9 / 10],
              micros[n * 99 / 100]);
    }
    System.out.println("Rate-limit check, warm, embedded Redis on loopback:" + report);
    assertThat(
            meters
                .counter("zeroscale.failopen", "dependency", "redis", "path", "ratelimit")
                .count())
        .isZero();
  }

  private static void release(RateDecision d) {
    if (d instanceof RateDecision.Allowed a) {
      a.release().run();
    }
  }
}
