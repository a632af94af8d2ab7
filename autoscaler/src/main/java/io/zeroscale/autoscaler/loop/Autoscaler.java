package io.zeroscale.autoscaler.loop;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.redis.DesiredReplicas;
import io.zeroscale.api.redis.LeaseState;
import io.zeroscale.api.scaling.StopOrder;
import io.zeroscale.autoscaler.decider.Decider;
import io.zeroscale.autoscaler.decider.DeciderState;
import io.zeroscale.autoscaler.decider.Decision;
import io.zeroscale.autoscaler.decider.Instance;
import io.zeroscale.autoscaler.decider.Observation;
import io.zeroscale.autoscaler.decider.ScalingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * The autoscaler: every {@code tick}, take or renew the lease, read every deployment's demand and
 * instances ({@link ScalingStore#read}), run the {@link Decider}, and — only while leading — write
 * desired replicas with the reason (compare-and-set, so a gateway's wake-up in between wins), the
 * decisions that changed replicas, and idle-but-paid time. Standbys sample and decide too, without
 * writing, so that a new leader takes over with a full window instead of a scaling glitch; a leader
 * that cannot renew its lease stops writing at once.
 */
public final class Autoscaler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

  /**
   * Platform knobs that are not per-deployment settings.
   *
   * @param tick sampling and decision period
   * @param leaseTtl leader lease; a standby takes over within it after the leader dies
   * @param panicWindow burst detection window (capped at each deployment's stable window)
   * @param panicThreshold demand ÷ capacity that starts panic mode
   * @param maxScaleUpRate at most this × current instances per decision
   * @param maxScaleDownRate at least current ÷ this per decision
   * @param scaleDownTolerance hysteresis on scale-down
   */
  public record Knobs(
      Duration tick,
      Duration leaseTtl,
      Duration panicWindow,
      double panicThreshold,
      double maxScaleUpRate,
      double maxScaleDownRate,
      double scaleDownTolerance) {}

  private final ScalingStore store;
  private final EngineMetrics engines;
  private final ScalingMetrics metrics;
  private final Knobs knobs;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();
  private final String id = "autoscaler-" + UUID.randomUUID().toString().substring(0, 8);

  private final Map<String, DeciderState> states = new HashMap<>();
  private final Map<String, Instant> lastTick = new HashMap<>();
  private final Map<String, Decision> latest = new ConcurrentHashMap<>();
  private final LeaseState lease = new LeaseState();
  private volatile Disposable loop;
  private volatile Tracer tracer = Tracer.NOOP;

  /** The short span of a decision that changed a deployment's replicas. */
  public static final String DECISION_SPAN = "zeroscale.autoscaler.decision";

  public Autoscaler(
      ScalingStore store, EngineMetrics engines, ScalingMetrics metrics, Knobs knobs, Clock clock) {
    this.store = store;
    this.engines = engines;
    this.metrics = metrics;
    this.knobs = knobs;
    this.clock = clock;
  }

  /**
   * Records each decision that changes replicas as a short span of its own, {@value #DECISION_SPAN}
   * (deployment, from, to, reason, mode, demand), sampled like any root span; call before {@link
   * #start()}.
   *
   * @return this autoscaler
   */
  public Autoscaler traced(Tracer tracer) {
    this.tracer = tracer;
    return this;
  }

  public String id() {
    return id;
  }

  public boolean isLeader() {
    return lease.held();
  }

  /** The last decision per deployment id (for tests and diagnostics). */
  public Map<String, Decision> latest() {
    return Map.copyOf(latest);
  }

  @Override
  public void start() {
    loop =
        Flux.interval(Duration.ZERO, knobs.tick(), Schedulers.parallel())
            .onBackpressureDrop()
            .concatMap(
                t ->
                    tick()
                        // A tick must end before the lease could pass to another autoscaler.
                        .timeout(knobs.leaseTtl().minus(knobs.tick()))
                        .onErrorResume(
                            e -> {
                              log.warn(
                                  "Autoscaler tick failed; the next one retries: {}", e.toString());
                              return Mono.empty();
                            }),
                1)
            .subscribe();
    log.info("Autoscaler {} started (tick {}, lease {})", id, knobs.tick(), knobs.leaseTtl());
  }

  @Override
  public void stop() {
    Disposable l = loop;
    loop = null;
    if (l != null) {
      l.dispose();
    }
    if (lease.held()) {
      lease.drop();
      store.release(id).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(5));
    }
    metrics.clear();
  }

  @Override
  public boolean isRunning() {
    return loop != null;
  }

  /** One tick (see the class comment). Never errors for an expected failure. */
  Mono<Void> tick() {
    Instant now = clock.instant();
    return store
        .lease(id, knobs.leaseTtl())
        .map(Optional::of)
        .doOnError(e -> log.warn("Cannot reach Redis for the autoscaler lease ({})", e.toString()))
        .onErrorReturn(Optional.empty())
        .flatMap(
            answer -> {
              switch (lease.apply(answer, now, knobs.leaseTtl())) {
                case UNREACHABLE -> {
                  return Mono.empty();
                }
                case EXPIRED -> {
                  loseLeadership("its lease expired while Redis was unreachable");
                  return Mono.empty();
                }
                case GAINED -> log.info("Autoscaler {} leads", id);
                case TAKEN -> loseLeadership("another autoscaler holds the lease");
                default -> {
                  // RENEWED, FOLLOWING: nothing changes
                }
              }
              return store.read().flatMap(this::withEngines).flatMap(s -> decideAll(s, now));
            });
  }

  private void loseLeadership(String why) {
    log.warn("Autoscaler {} no longer leads ({})", id, why);
    lastTick.clear();
    metrics.clear();
  }

  /** The engines' own figures per deployment, when that signal is on. */
  private Mono<Tick> withEngines(ScalingStore.Snapshot s) {
    if (engines == EngineMetrics.NONE) {
      return Mono.just(new Tick(s, Map.of()));
    }
    return store
        .readyUrls(s.deployments().keySet())
        .flatMap(
            urls ->
                Flux.fromIterable(urls.entrySet())
                    .flatMap(
                        e -> engines.demand(e.getValue()).map(d -> Map.entry(e.getKey(), d)), 8)
                    .collectMap(Map.Entry::getKey, Map.Entry::getValue))
        .onErrorReturn(Map.of())
        .map(m -> new Tick(s, m));
  }

  private record Tick(ScalingStore.Snapshot snapshot, Map<String, Double> engineDemand) {}

  private Mono<Void> decideAll(Tick tick, Instant now) {
    ScalingStore.Snapshot s = tick.snapshot();
    boolean leading = lease.held();
    states.keySet().retainAll(s.deployments().keySet());
    lastTick.keySet().retainAll(s.deployments().keySet());
    latest.keySet().retainAll(s.deployments().keySet());
    metrics.retain(s.deployments().values());
    List<Mono<Void>> writes = new ArrayList<>();
    for (DeploymentSpec spec : s.deployments().values()) {
      ScalingPolicy policy;
      try {
        policy = policy(spec);
      } catch (IllegalArgumentException e) {
        log.warn("Deployment {}: cannot scale ({})", spec.fullName(), e.getMessage());
        continue;
      }
      ScalingStore.Desired current = s.desired().get(spec.id());
      List<Instance> instances = s.instances().getOrDefault(spec.id(), List.of());
      Observation o =
          new Observation(
              now,
              s.demand().getOrDefault(spec.id(), 0.0),
              tick.engineDemand().getOrDefault(spec.id(), -1.0),
              current == null ? -1 : current.replicas(),
              current != null && "wake-up".equals(current.reason()) ? current.at() : null,
              current == null ? null : current.lastActive(),
              instances);
      Decider.Result r =
          Decider.decide(policy, states.getOrDefault(spec.id(), DeciderState.EMPTY), o);
      states.put(spec.id(), r.state());
      Decision d = r.decision();
      latest.put(spec.id(), d);
      if (leading) {
        metrics.record(spec, d);
        writes.add(apply(spec, current, d, r.state(), now));
      }
    }
    return Flux.merge(Flux.fromIterable(writes), 8).then();
  }

  private Mono<Void> apply(
      DeploymentSpec spec,
      ScalingStore.Desired current,
      Decision d,
      DeciderState state,
      Instant now) {
    List<Mono<Void>> io = new ArrayList<>();
    Instant previous = lastTick.put(spec.id(), now);
    if (d.billingHeld() > 0 && previous != null) {
      // At most two ticks' worth: a pause (GC, Redis blip) must not be billed as idle time.
      long ms = Math.min(Duration.between(previous, now).toMillis(), 2 * knobs.tick().toMillis());
      if (ms > 0) {
        io.add(quiet(store.addIdlePaid(spec.id(), d.billingHeld() * ms / 1000.0)));
      }
    }
    // An event when replicas change (for a deployment with no entry yet: from what runs).
    int from = current == null ? d.active() : current.replicas();
    boolean changed = from != d.replicas();
    if (current == null || changed || !current.reason().equals(d.reason())) {
      String text = desiredJson(d, now, state.lastActive());
      io.add(
          store
              .writeDesired(spec.id(), current == null ? null : current.text(), text)
              .flatMap(
                  written -> {
                    if (!written || !changed) {
                      return Mono.<Void>empty();
                    }
                    log.info(
                        "Deployment {}: {} → {} replicas: {}",
                        spec.fullName(),
                        from,
                        d.replicas(),
                        d.reason());
                    traceDecision(spec, from, d);
                    return store.pushEvent(spec.id(), eventJson(d, now, from));
                  })
              .onErrorResume(
                  e -> {
                    log.debug("Could not write the decision of {}: {}", spec.id(), e.toString());
                    return Mono.empty();
                  }));
    }
    return Flux.merge(io).then();
  }

  private void traceDecision(DeploymentSpec spec, int from, Decision d) {
    Tracer t = tracer;
    if (t == Tracer.NOOP) {
      return;
    }
    Span span = t.spanBuilder().setNoParent().name(DECISION_SPAN).start();
    if (span.isNoop() || !Boolean.TRUE.equals(span.context().sampled())) {
      span.abandon();
      return;
    }
    span.tag("zeroscale.deployment", spec.id())
        .tag("zeroscale.replicas.from", from)
        .tag("zeroscale.replicas.to", d.replicas())
        .tag("zeroscale.reason", d.reason())
        .tag("zeroscale.mode", d.mode() == null ? "" : d.mode())
        .tag("zeroscale.demand", d.demand())
        .end();
  }

  private static Mono<Void> quiet(Mono<Void> m) {
    return m.onErrorResume(e -> Mono.empty());
  }

  ScalingPolicy policy(DeploymentSpec spec) {
    ScalingSettings st = spec.settings();
    Duration stable = Duration.ofSeconds(st.stableWindowS());
    Duration panic = knobs.panicWindow().compareTo(stable) <= 0 ? knobs.panicWindow() : stable;
    return new ScalingPolicy(
        spec.maxBatchSize(),
        st.targetUtilization(),
        stable,
        panic,
        knobs.panicThreshold(),
        Duration.ofSeconds(st.scaleToZeroAfterS()),
        st.minInstances(),
        st.maxInstances(),
        // The tenant's GPU quota is checked when max_instances is set (sum of max_instances ×
        // num_gpus ≤ quota), so max_instances is already within it; the spec carries no quota.
        Integer.MAX_VALUE,
        st.billingAwareScaleDown(),
        knobs.maxScaleUpRate(),
        knobs.maxScaleDownRate(),
        knobs.scaleDownTolerance(),
        StopOrder.PAID_PERIOD);
  }

  private String desiredJson(Decision d, Instant now, Instant lastActive) {
    return new DesiredReplicas(
            d.replicas(),
            d.reason(),
            now,
            new DesiredReplicas.Decision(d.mode(), round(d.demand()), lastActive))
        .write(json);
  }

  private String eventJson(Decision d, Instant now, int from) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", now.toEpochMilli());
    m.put("from", from);
    m.put("to", d.replicas());
    m.put("mode", d.mode());
    m.put("demand", round(d.demand()));
    m.put("reason", d.reason());
    return json.writeValueAsString(m);
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
