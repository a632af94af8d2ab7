package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.autoscaler.loop.Autoscaler;
import io.zeroscale.autoscaler.loop.EngineMetrics;
import io.zeroscale.autoscaler.loop.RedisScalingStore;
import io.zeroscale.autoscaler.loop.ScalingMetrics;
import io.zeroscale.autoscaler.loop.ScalingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import reactor.core.publisher.Mono;
import redis.embedded.RedisServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #6: two autoscalers on one real Redis, each with its own connection. Only the lease holder
 * writes; when it dies (its Redis connection cut, so it can neither renew nor write) the standby
 * takes over within the lease time, with the same desired replicas (no glitch: it kept its own
 * window while standing by).
 */
class AutoscalerFailoverIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration TICK = Duration.ofMillis(250);

  /**
   * Long enough that a leader's renewal stalled by a loaded machine (a tick may take up to the
   * lease minus a tick before it times out) does not hand the lease over before the test kills it;
   * the hand-over then takes about this long.
   */
  private static final Duration LEASE = Duration.ofSeconds(10);

  private RedisServer server;
  private int port;
  private RedissonClient admin;
  private final List<RedissonClient> clients = new ArrayList<>();
  private final List<Autoscaler> scalers = new ArrayList<>();

  /** A store that can die: every call fails, as for a process that was killed or cut off. */
  static final class Killable implements ScalingStore {
    final ScalingStore real;
    volatile boolean dead;
    final AtomicInteger writes = new AtomicInteger();

    Killable(ScalingStore real) {
      this.real = real;
    }

    private <T> Mono<T> guard(Mono<T> m) {
      return Mono.defer(() -> dead ? Mono.error(new IllegalStateException("killed")) : m);
    }

    @Override
    public Mono<Boolean> lease(String id, Duration ttl) {
      return guard(real.lease(id, ttl));
    }

    @Override
    public Mono<Void> release(String id) {
      return guard(real.release(id));
    }

    @Override
    public Mono<Snapshot> read() {
      return guard(real.read());
    }

    @Override
    public Mono<Map<String, List<String>>> readyUrls(Collection<String> ids) {
      return guard(real.readyUrls(ids));
    }

    @Override
    public Mono<Boolean> writeDesired(String id, String expected, String text) {
      return guard(real.writeDesired(id, expected, text))
          .doOnNext(
              w -> {
                if (w) {
                  writes.incrementAndGet();
                }
              });
    }

    @Override
    public Mono<Void> pushEvent(String id, String text) {
      return guard(real.pushEvent(id, text));
    }

    @Override
    public Mono<Void> addIdlePaid(String id, double seconds) {
      return guard(real.addIdlePaid(id, seconds));
    }
  }

  @BeforeEach
  void start() throws Exception {
    port = StandaloneProcess.freePort();
    server = TestRedis.on(port);
    server.start();
    admin = client(port);
  }

  @AfterEach
  void stop() throws Exception {
    scalers.forEach(Autoscaler::stop);
    clients.forEach(RedissonClient::shutdown);
    if (admin != null) {
      admin.shutdown();
    }
    if (server != null) {
      server.stop();
    }
  }

  private RedissonClient client(int port) {
    Config config = new Config();
    config.useSingleServer().setAddress("redis://127.0.0.1:" + port);
    return Redisson.create(config);
  }

  private Killable scaler() {
    RedissonClient c = client(port);
    clients.add(c);
    Killable store = new Killable(new RedisScalingStore(c.reactive(), JSON, 100));
    Autoscaler a =
        new Autoscaler(
            store,
            EngineMetrics.NONE,
            ScalingMetrics.NONE,
            new Autoscaler.Knobs(TICK, LEASE, Duration.ofSeconds(2), 2.0, 1000, 2, 0.1),
            Clock.systemUTC());
    scalers.add(a);
    a.start();
    return store;
  }

  @Test
  void onlyTheLeaderActsAndAStandbyTakesOverWithinTheLease() {
    // A deployment with a steady demand of 10 (in flight on one gateway): ⌈10 / (4 × 0.7)⌉ = 4.
    DeploymentSpec spec =
        new DeploymentSpec(
            "dep-1",
            "t",
            "acme",
            "chat",
            Family.LLM,
            "hf://org/repo@main",
            "A100-80GB",
            1,
            4,
            new ScalingSettings(0, 5, 300, 900, 1000, 0.7, 6, false),
            DeploymentStatus.RUNNING,
            null,
            1,
            1,
            EngineOptions.NONE,
            1);
    admin
        .<String, String>getMap(RedisSchema.DEPLOYMENTS, StringCodec.INSTANCE)
        .fastPut(spec.id(), DeploymentSpecJson.write(JSON, spec));
    admin
        .getScoredSortedSet(RedisSchema.GATEWAYS, StringCodec.INSTANCE)
        .add(System.currentTimeMillis() + 3_600_000, "gw-1");
    admin
        .<String>getBucket(RedisSchema.demand(spec.id(), "gw-1"), StringCodec.INSTANCE)
        .set("{\"queued\":2,\"in_flight\":8,\"at\":0}");

    Killable one = scaler();
    Killable two = scaler();
    await().atMost(Duration.ofSeconds(30)).until(() -> replicas(spec.id()) == 4);
    // Who leads, established right before it is observed: exactly one autoscaler thinks it leads,
    // Redis agrees, and that holds for a few ticks.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<Autoscaler> leading = scalers.stream().filter(Autoscaler::isLeader).toList();
              return leading.size() == 1 && leading.getFirst().id().equals(leaderHolder());
            });
    Autoscaler leader = scalers.stream().filter(Autoscaler::isLeader).findFirst().get();
    Killable leaderStore = leader == scalers.get(0) ? one : two;
    Killable standbyStore = leaderStore == one ? two : one;
    Autoscaler standby = leader == scalers.get(0) ? scalers.get(1) : scalers.get(0);
    assertThat(leaderHolder()).isEqualTo(leader.id());
    // The first write (0 → 4) was the leader's and the standby wrote nothing: with a lease far
    // longer than any stall, the leader has not changed since the start.
    assertThat(leaderStore.writes.get()).isPositive();
    assertThat(standbyStore.writes.get()).as("the standby never writes").isZero();
    // The standby's decision is its own loop's latest: wait for it rather than read it once.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(standby.latest().get(spec.id()))
                    .as("but it decides")
                    .isNotNull()
                    .extracting(d -> d.replicas())
                    .isEqualTo(4));

    long killedAt = System.nanoTime();
    leaderStore.dead = true;
    // The standby takes the lease once the dead leader's expires in Redis: within the lease and a
    // tick; the slack only absorbs a slow machine (how fast is not this test's to time).
    await()
        .atMost(LEASE.plusSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> standby.isLeader() && standby.id().equals(leaderHolder()));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.printf(
        "AutoscalerFailoverIT: standby took over %d ms after the leader died (lease %d ms)%n",
        tookMs, LEASE.toMillis());
    assertThat(replicas(spec.id())).as("same replicas after the hand-over").isEqualTo(4);
    assertThat(
            admin
                .<String>getList(RedisSchema.scalingEvents(spec.id()), StringCodec.INSTANCE)
                .size())
        .as("one decision changed replicas: 0 → 4, none at the hand-over")
        .isEqualTo(1);

    // The new leader acts: more demand, more replicas (capped at max_instances 5), written by it.
    admin
        .<String>getBucket(RedisSchema.demand(spec.id(), "gw-1"), StringCodec.INSTANCE)
        .set("{\"queued\":12,\"in_flight\":8,\"at\":0}");
    await().atMost(Duration.ofSeconds(30)).until(() -> replicas(spec.id()) == 5);
    assertThat(standbyStore.writes.get()).isPositive();
  }

  private String leaderHolder() {
    return admin.<String>getBucket(RedisSchema.AUTOSCALER_LEADER, StringCodec.INSTANCE).get();
  }

  private int replicas(String id) {
    String text = admin.<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE).get(id);
    return text == null ? -1 : JSON.readTree(text).get("replicas").asInt();
  }
}
