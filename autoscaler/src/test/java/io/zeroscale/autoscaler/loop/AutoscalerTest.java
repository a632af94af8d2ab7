package io.zeroscale.autoscaler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.autoscaler.decider.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** The loop against a hand-made store and a clock moved by hand. */
class AutoscalerTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** Redis as maps: one lease holder, the desired hash, event lists, idle-paid sums. */
  static final class FakeStore implements ScalingStore {
    String leaseHolder;
    final Map<String, DeploymentSpec> deployments = new HashMap<>();
    final Map<String, String> desired = new HashMap<>();
    final Map<String, List<Instance>> instances = new HashMap<>();
    final Map<String, Double> demand = new HashMap<>();
    final Map<String, List<String>> events = new HashMap<>();
    final Map<String, Double> idlePaid = new HashMap<>();
    int writes;

    @Override
    public Mono<Boolean> lease(String id, Duration ttl) {
      if (leaseHolder == null) {
        leaseHolder = id;
      }
      return Mono.just(id.equals(leaseHolder));
    }

    @Override
    public Mono<Void> release(String id) {
      if (id.equals(leaseHolder)) {
        leaseHolder = null;
      }
      return Mono.empty();
    }

    @Override
    public Mono<Snapshot> read() {
      Map<String, Desired> d = new HashMap<>();
      desired.forEach(
          (id, text) -> {
            var n = JSON.readTree(text);
            var last = n.path("last_active");
            d.put(
                id,
                new Desired(
                    text,
                    n.get("replicas").asInt(),
                    n.path("reason").asString(""),
                    Instant.ofEpochMilli(n.path("at").asLong()),
                    last.isNumber() ? Instant.ofEpochMilli(last.asLong()) : null));
          });
      return Mono.just(
          new Snapshot(Map.copyOf(deployments), d, Map.copyOf(instances), Map.copyOf(demand)));
    }

    @Override
    public Mono<Map<String, List<String>>> readyUrls(Collection<String> ids) {
      return Mono.just(Map.of());
    }

    @Override
    public Mono<Boolean> writeDesired(String id, String expected, String text) {
      String cur = desired.get(id);
      if (!(expected == null ? cur == null : expected.equals(cur))) {
        return Mono.just(false);
      }
      writes++;
      desired.put(id, text);
      return Mono.just(true);
    }

    @Override
    public Mono<Void> pushEvent(String id, String text) {
      events.computeIfAbsent(id, k -> new ArrayList<>()).addFirst(text);
      return Mono.empty();
    }

    @Override
    public Mono<Void> addIdlePaid(String id, double seconds) {
      idlePaid.merge(id, seconds, Double::sum);
      return Mono.empty();
    }

    int replicas(String id) {
      return JSON.readTree(desired.get(id)).get("replicas").asInt();
    }
  }

  static DeploymentSpec spec(String id, int min, int max, boolean billing) {
    return new DeploymentSpec(
        id,
        "t1",
        "acme",
        "m-" + id,
        Family.LLM,
        "hf://org/repo@main",
        "A100-80GB",
        1,
        8,
        new ScalingSettings(min, max, 30, 900, 1000, 0.7, 6, billing),
        DeploymentStatus.RUNNING,
        null,
        1,
        1,
        EngineOptions.NONE,
        1);
  }

  final MutableClock clock = MutableClock.at(T0);
  final FakeStore store = new FakeStore();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  Autoscaler autoscaler() {
    return new Autoscaler(
        store,
        EngineMetrics.NONE,
        new ScalingMetrics(registry),
        new Autoscaler.Knobs(
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            2.0,
            1000,
            2,
            0.1),
        clock);
  }

  void tick(Autoscaler... all) {
    for (Autoscaler a : all) {
      a.tick().block();
    }
    clock.advance(Duration.ofSeconds(1));
  }

  @Test
  void onlyTheLeaderWritesAndAStandbyTakesOverWarm() {
    store.deployments.put("d", spec("d", 0, 5, false));
    store.demand.put("d", 20.0);
    Autoscaler a = autoscaler();
    Autoscaler b = autoscaler();
    tick(a, b);
    assertThat(a.isLeader()).isTrue();
    assertThat(b.isLeader()).isFalse();
    assertThat(store.replicas("d")).isEqualTo(4); // 20 / 5.6
    int writesByA = store.writes;
    for (int i = 0; i < 10; i++) {
      tick(a, b);
    }
    // b decided too (it keeps a window) but never wrote: every write is a's (reason changes only).
    assertThat(b.latest().get("d").replicas()).isEqualTo(4);
    assertThat(store.events.get("d")).hasSize(1);
    assertThat(writesByA).isPositive();

    // a dies without releasing: its lease expires, b takes over with the same view, no glitch.
    store.leaseHolder = null;
    store.demand.put("d", 0.0);
    tick(b);
    assertThat(b.isLeader()).isTrue();
    assertThat(store.replicas("d")).isEqualTo(4);
    assertThat(
            registry
                .get("zeroscale.autoscaler.desired")
                .tag("deployment", "acme/m-d")
                .gauge()
                .value())
        .isEqualTo(4);
  }

  @Test
  void aWakeUpWrittenBetweenReadAndWriteIsNotOverwritten() {
    store.deployments.put("d", spec("d", 0, 5, false));
    store.desired.put("d", "{\"replicas\":0,\"reason\":\"idle\",\"at\":0}");
    Autoscaler a = autoscaler();
    ScalingStore racing =
        new ScalingStore() {
          @Override
          public Mono<Boolean> lease(String id, Duration ttl) {
            return store.lease(id, ttl);
          }

          @Override
          public Mono<Void> release(String id) {
            return store.release(id);
          }

          @Override
          public Mono<Snapshot> read() {
            return store
                .read()
                .doOnNext(
                    s ->
                        store.desired.put(
                            "d",
                            "{\"replicas\":1,\"reason\":\"wake-up\",\"at\":"
                                + clock.millis()
                                + "}"));
          }

          @Override
          public Mono<Map<String, List<String>>> readyUrls(Collection<String> ids) {
            return Mono.just(Map.of());
          }

          @Override
          public Mono<Boolean> writeDesired(String id, String expected, String text) {
            return store.writeDesired(id, expected, text);
          }

          @Override
          public Mono<Void> pushEvent(String id, String text) {
            return store.pushEvent(id, text);
          }

          @Override
          public Mono<Void> addIdlePaid(String id, double seconds) {
            return store.addIdlePaid(id, seconds);
          }
        };
    Autoscaler raced =
        new Autoscaler(
            racing,
            EngineMetrics.NONE,
            ScalingMetrics.NONE,
            new Autoscaler.Knobs(
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                2.0,
                1000,
                2,
                0.1),
            clock);
    raced.tick().block();
    assertThat(store.replicas("d")).as("the wake-up stands").isEqualTo(1);
    // The next tick sees the wake-up and keeps the instance it asked for.
    clock.advance(Duration.ofSeconds(1));
    a.tick().block();
    assertThat(a.isLeader()).isFalse();
    store.leaseHolder = null;
    a.tick().block();
    assertThat(store.replicas("d")).isEqualTo(1);
  }

  @Test
  void aDecisionThatChangesReplicasIsAShortSpanOfItsOwn() {
    List<SpanData> finished = new CopyOnWriteArrayList<>();
    SpanExporter exporter =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            finished.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build()) {
      store.deployments.put("d", spec("d", 0, 5, false));
      store.demand.put("d", 20.0);
      Autoscaler a =
          autoscaler()
              .traced(new OtelTracer(provider.get("test"), new OtelCurrentTraceContext(), e -> {}));
      tick(a);
      tick(a);
      assertThat(store.replicas("d")).isEqualTo(4);

      assertThat(finished).as("one change, one span").hasSize(1);
      SpanData span = finished.getFirst();
      assertThat(span.getName()).isEqualTo(Autoscaler.DECISION_SPAN);
      assertThat(span.getParentSpanContext().isValid()).isFalse();
      assertThat(span.getAttributes().get(AttributeKey.stringKey("zeroscale.deployment")))
          .isEqualTo("d");
      assertThat(span.getAttributes().get(AttributeKey.longKey("zeroscale.replicas.to")))
          .isEqualTo(4);
      assertThat(span.getAttributes().get(AttributeKey.stringKey("zeroscale.reason"))).isNotBlank();
    }
  }

  @Test
  void aSettingsChangeAppliesAtTheNextTickAndIsInTheHistory() {
    store.deployments.put("d", spec("d", 0, 5, false));
    store.demand.put("d", 50.0);
    Autoscaler a = autoscaler();
    tick(a);
    assertThat(store.replicas("d")).isEqualTo(5);
    store.deployments.put("d", spec("d", 0, 2, false));
    tick(a);
    assertThat(store.replicas("d")).isEqualTo(2);
    assertThat(store.events.get("d")).hasSize(2);
    assertThat(JSON.readTree(store.events.get("d").getFirst()).get("reason").asString())
        .contains("capped at 2 (max_instances)");
    assertThat(JSON.readTree(store.events.get("d").getFirst()).get("from").asInt()).isEqualTo(5);
  }

  @Test
  void idleButPaidTimeAccruesWhileInstancesAreHeldForTheirFirstHour() {
    store.deployments.put("d", spec("d", 0, 3, true));
    store.desired.put("d", "{\"replicas\":2,\"reason\":\"x\",\"at\":0,\"last_active\":0}");
    store.instances.put(
        "d",
        List.of(
            new Instance("a", Instance.Phase.READY, T0.minusSeconds(600)),
            new Instance("b", Instance.Phase.READY, T0.minusSeconds(600))));
    Autoscaler a = autoscaler();
    for (int i = 0; i < 20; i++) {
      tick(a);
    }
    // Warm-up for the 6 s window, then both held (demand 0, idle > 30 s since last_active 0).
    assertThat(store.replicas("d")).isEqualTo(2);
    assertThat(store.idlePaid.get("d")).isBetween(2 * 12.0, 2 * 15.0);
  }

  @Test
  void aDeletedDeploymentLosesItsGauges() {
    store.deployments.put("d", spec("d", 0, 5, false));
    Autoscaler a = autoscaler();
    tick(a);
    assertThat(registry.find("zeroscale.autoscaler.actual").gauges()).hasSize(1);
    store.deployments.clear();
    tick(a);
    assertThat(registry.find("zeroscale.autoscaler.actual").gauges()).isEmpty();
  }
}
