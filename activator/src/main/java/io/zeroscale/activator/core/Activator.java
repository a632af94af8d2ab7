package io.zeroscale.activator.core;

import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.Heartbeat;
import io.zeroscale.activator.events.HeartbeatLog;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.InstanceRuntime;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.RedisSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.function.Tuple3;

/**
 * The activator: one leader at a time (a Redis lease) reconciles every deployment's desired
 * replicas into instances through a {@link InstanceRuntime}, every {@code tick} and at once on a
 * wake-up.
 *
 * <p>One pass ({@link #tick()}):
 *
 * <ol>
 *   <li>take or renew the lease; a new leader adopts what the runtime already runs (a published
 *       endpoint keeps its state, so routing never flaps during a hand-over);
 *   <li>observe the runtime: scheduled instances start booting (billable), exited ones count as
 *       boot failures (retried with backoff, {@code failed} after the limit) or crashes (taken out
 *       of routing at once and replaced);
 *   <li>probe: a booting instance is published only once {@code /health} answers 200; a ready one
 *       that fails its probes is replaced; a draining one is stopped once it has nothing in flight;
 *   <li>decide per deployment ({@link Reconcile}) and apply: launch, drain, stop, status;
 *   <li>make Redis match (endpoints, live counts) and write the lifecycle events.
 * </ol>
 *
 * Passes never overlap (one at a time, a tick that comes during a pass is dropped), so the tracked
 * state needs no lock; stops, which outlive a pass, report back through a queue.
 */
public final class Activator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Activator.class);

  private final InstanceRuntime runtime;
  private final ActivatorRedis redis;
  private final RedissonClient redisson;
  private final Probe probe;
  private final EventOutbox events;
  private final DeploymentStatusPort status;
  private final ActivatorPolicy policy;
  private final Clock clock;
  private final String id = "activator-" + UUID.randomUUID().toString().substring(0, 8);

  private final Map<String, Tracked> tracked = new HashMap<>();
  private final Map<String, Failures> failures = new HashMap<>();
  private final Map<String, String> capacity = new HashMap<>();
  private final Map<String, Reported> reported = new HashMap<>();

  /** Wake-ups by deployment id, with when they arrived (a new leader drops stale ones). */
  private final Map<String, Instant> wakeUps = new ConcurrentHashMap<>();

  /** Stops that finished (their STOPPED event is already written) or failed, for the pass. */
  private final ConcurrentLinkedQueue<String> stopped = new ConcurrentLinkedQueue<>();

  private final ConcurrentLinkedQueue<String> stopFailed = new ConcurrentLinkedQueue<>();

  /** The target of each deployment decided in the last pass (what {@code desired} shows). */
  private final Map<String, Integer> targets = new HashMap<>();

  private final java.util.concurrent.atomic.AtomicBoolean passRunning =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile Instant leaseUntil = Instant.MIN;
  private final AtomicLong versions = new AtomicLong();
  private final Sinks.Many<Boolean> kicks = Sinks.many().multicast().directBestEffort();

  /**
   * Deployments seen missing from Redis, since when. Redis keeps nothing across a restart, so an
   * instance whose deployment is missing is stopped only after {@link #MISSING_GRACE}, long enough
   * for the control plane to republish (its sweep runs every 10 s).
   */
  private final Map<String, Instant> missingSince = new HashMap<>();

  static final Duration MISSING_GRACE = Duration.ofSeconds(60);

  /** While an instance boots, passes run this often, so readiness is seen within this. */
  static final Duration BOOT_POLL = Duration.ofMillis(50);

  /**
   * An instance that crashes within this of becoming ready counts as a boot failure (a crash loop
   * after readiness must still end in {@code failed}); the deployment's failure count is cleared
   * only once an instance has stayed ready this long.
   */
  static final Duration STABLE_AFTER = Duration.ofSeconds(60);

  // --- billing: heartbeats and the spend limit ---

  /** How often the leader writes heartbeats of the instances that hold GPUs. */
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(15);

  /** After a boot refused for the spend limit, the deployment launches nothing for this long. */
  static final Duration BUDGET_HOLD = Duration.ofSeconds(30);

  private final HeartbeatLog heartbeats;
  private final BudgetPort budget;
  private volatile Instant lastHeartbeat = Instant.MIN;

  /** Deployments whose last boot the spend limit refused: the reason, until when. */
  private final Map<String, Map.Entry<String, Instant>> budgetHolds = new ConcurrentHashMap<>();

  private volatile boolean leader;
  private volatile Disposable loop;
  private volatile int wakeListener = -1;

  /** Consecutive boot failures of a deployment. */
  private static final class Failures {
    int count;
    String last;
    Instant nextLaunchAt;
    Instant failedAt;
  }

  private record Reported(String status, String reason, Instant at) {}

  public Activator(
      InstanceRuntime runtime,
      ActivatorRedis redis,
      RedissonClient redisson,
      Probe probe,
      EventOutbox events,
      DeploymentStatusPort status,
      ActivatorPolicy policy,
      Clock clock) {
    this(
        runtime,
        redis,
        redisson,
        probe,
        events,
        status,
        policy,
        clock,
        HeartbeatLog.NONE,
        BudgetPort.UNLIMITED);
  }

  /** With billing: heartbeats of the instances that hold GPUs, and the spend limit before boots. */
  public Activator(
      InstanceRuntime runtime,
      ActivatorRedis redis,
      RedissonClient redisson,
      Probe probe,
      EventOutbox events,
      DeploymentStatusPort status,
      ActivatorPolicy policy,
      Clock clock,
      HeartbeatLog heartbeats,
      BudgetPort budget) {
    this.heartbeats = heartbeats;
    this.budget = budget;
    this.runtime = runtime;
    this.redis = redis;
    this.redisson = redisson;
    this.probe = probe;
    this.events = events;
    this.status = status;
    this.policy = policy;
    this.clock = clock;
  }

  public String id() {
    return id;
  }

  public boolean isLeader() {
    return leader;
  }

  // --- lifecycle ---

  @Override
  public void start() {
    subscribeWakeUps();
    loop =
        Flux.merge(
                Flux.interval(Duration.ZERO, policy.tick(), Schedulers.parallel()).map(t -> true),
                kicks.asFlux())
            .onBackpressureDrop()
            .concatMap(
                t ->
                    tick()
                        // A pass must end before the lease could pass to another activator.
                        .timeout(policy.leaseTtl().minus(policy.tick()))
                        .onErrorResume(
                            e -> {
                              log.warn("Reconcile pass failed; the next one retries", e);
                              return Mono.empty();
                            }),
                1)
            .subscribe();
    log.info("Activator {} started with the {} runtime", id, runtime.name());
  }

  /**
   * Wake-ups arrive by pub/sub: the deployment is remembered and a pass runs at once. If Redis is
   * down at start, every pass tries to subscribe again.
   */
  private void subscribeWakeUps() {
    if (wakeListener >= 0) {
      return;
    }
    try {
      wakeListener =
          redisson
              .getTopic(RedisSchema.WAKE_UP, StringCodec.INSTANCE)
              .addListener(
                  String.class,
                  (channel, deploymentId) -> {
                    wakeUps.put(deploymentId, clock.instant());
                    kicks.tryEmitNext(true);
                  });
    } catch (RuntimeException e) {
      log.warn("Could not subscribe to wake-ups yet ({}); retrying", e.toString());
    }
  }

  /**
   * On shutdown the leader drains and stops every instance (SPEC §10: stopping the standalone app
   * stops every instance it started), writes their events and gives up the lease. It runs after the
   * web server has finished its requests (a lower phase stops later).
   */
  @Override
  public void stop() {
    Disposable l = loop;
    if (l != null) {
      l.dispose();
    }
    loop = null;
    // The cancelled pass ends at once; wait for it so shutdown does not race its state.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (passRunning.get() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    if (leader) {
      shutdownInstances()
          .then(events.flush())
          .then(redis.release(id).onErrorResume(e -> Mono.empty()))
          .timeout(policy.shutdownDrain().plus(policy.stopGrace()).plusSeconds(10))
          .onErrorResume(
              e -> {
                log.warn("Shutdown of instances did not finish cleanly: {}", e.toString());
                return Mono.empty();
              })
          .toFuture()
          .orTimeout(
              policy.shutdownDrain().plus(policy.stopGrace()).toSeconds() + 15, TimeUnit.SECONDS)
          .exceptionally(e -> null)
          .join();
    }
    leader = false;
  }

  @Override
  public boolean isRunning() {
    return loop != null;
  }

  /** After the web server (which drains requests) and the gateway's routing sync have stopped. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }

  private Mono<Void> shutdownInstances() {
    Instant now = clock.instant();
    List<Tracked> all = new ArrayList<>(tracked.values());
    if (all.isEmpty()) {
      return stopUntracked();
    }
    log.info("Stopping {} instance(s) before shutdown", all.size());
    List<Mono<Void>> drains = new ArrayList<>();
    for (Tracked t : all) {
      if (t.phase == Phase.READY) {
        t.enter(Phase.DRAINING, now);
        event(t, LifecycleEvent.Type.DRAINING, now, "shutdown");
        drains.add(redis.publish(t.endpoint(nextVersion())).onErrorResume(e -> Mono.empty()));
      }
    }
    Mono<Void> idle =
        Flux.fromIterable(all)
            .filter(t -> t.url != null && t.phase == Phase.DRAINING)
            .flatMap(t -> waitIdle(t.url))
            .then()
            .timeout(policy.shutdownDrain(), Mono.empty());
    return Mono.when(drains)
        .then(
            Mono.delay(policy.drainSettle().isZero() ? Duration.ofMillis(1) : policy.drainSettle()))
        .then(idle)
        .thenMany(
            Flux.fromIterable(all)
                .flatMap(
                    t ->
                        runtime
                            .stop(t.id, policy.stopGrace())
                            // Billing stops only when the GPUs are really free.
                            .doOnSuccess(
                                v ->
                                    event(
                                        t,
                                        LifecycleEvent.Type.STOPPED,
                                        clock.instant(),
                                        "shutdown"))
                            .onErrorResume(
                                e -> {
                                  log.warn("Could not stop instance {}: {}", t.id, e.toString());
                                  return Mono.empty();
                                })
                            .then(
                                redis
                                    .unpublish(t.spec.id(), t.id)
                                    .onErrorResume(e -> Mono.empty()))))
        .then(Mono.defer(this::stopUntracked))
        .doFinally(s -> tracked.clear());
  }

  /**
   * Instances the runtime runs that no pass recorded (a launch that completed after the last pass
   * was cancelled): stopped too, so nothing outlives the app.
   */
  private Mono<Void> stopUntracked() {
    return runtime
        .list()
        .flatMapMany(Flux::fromIterable)
        .filter(r -> !tracked.containsKey(r.instanceId()))
        .flatMap(
            r -> runtime.stop(r.instanceId(), policy.stopGrace()).onErrorResume(e -> Mono.empty()))
        .then()
        .onErrorResume(e -> Mono.empty());
  }

  private Mono<Void> waitIdle(String url) {
    return Flux.interval(Duration.ZERO, Duration.ofMillis(250))
        .concatMap(i -> probe.inFlight(url))
        .filter(n -> n.isEmpty() || n.getAsInt() == 0)
        .next()
        .then();
  }

  // --- one pass ---

  /** One reconcile pass (see the class comment). Never errors for an expected failure. */
  Mono<Void> tick() {
    subscribeWakeUps();
    Instant now = clock.instant();
    return redis
        .lease(id, policy.leaseTtl())
        .map(java.util.Optional::of)
        .onErrorResume(
            e -> {
              log.warn("Cannot reach Redis for the leader lease ({})", e.toString());
              return Mono.just(java.util.Optional.empty());
            })
        .flatMap(
            answer -> {
              if (answer.isEmpty()) {
                // Redis unreachable: we may still hold the lease until it would expire; keep the
                // state, act on nothing (no writes would land anyway), give up after the TTL.
                if (leader && !now.isBefore(leaseUntil)) {
                  loseLeadership("its lease expired while Redis was unreachable");
                }
                return Mono.empty();
              }
              if (!answer.get()) {
                if (leader) {
                  loseLeadership("another activator holds the lease");
                }
                // A follower keeps wake-ups for a short while, in case the leader dies before it
                // handles them (held requests do not send theirs twice); older ones are dropped.
                wakeUps.values().removeIf(at -> at.isBefore(now.minus(staleWakeUp())));
                return Mono.empty();
              }
              leaseUntil = now.plus(policy.leaseTtl());
              if (!leader) {
                log.info(
                    "Activator {} leads; adopting what the {} runtime runs", id, runtime.name());
                leader = true;
                wakeUps.values().removeIf(at -> at.isBefore(now.minus(staleWakeUp())));
              }
              return Mono.zip(redis.deployments(), redis.desired(), runtime.list())
                  .flatMap(t -> pass(t, now));
            })
        .doFirst(() -> passRunning.set(true))
        .doFinally(sig -> passRunning.set(false))
        .then(Mono.defer(events::flush))
        .then(Mono.defer(() -> heartbeat(now)));
  }

  /**
   * Every {@link #HEARTBEAT_EVERY}, the leader says which instances hold GPUs, so that billing can
   * close them at the last heartbeat if this activator dies without writing their STOPPED.
   */
  private Mono<Void> heartbeat(Instant now) {
    if (!leader || now.isBefore(lastHeartbeat.plus(HEARTBEAT_EVERY))) {
      return Mono.empty();
    }
    List<Heartbeat> beats = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      if (t.scheduledAt != null && t.phase != Phase.PENDING) {
        beats.add(
            new Heartbeat(
                t.id, t.spec.id(), t.spec.tenantId(), t.spec.gpu(), t.spec.numGpus(), now));
      }
    }
    if (beats.isEmpty()) {
      return Mono.empty(); // the first instance to hold GPUs gets its heartbeat at once
    }
    lastHeartbeat = now;
    return heartbeats
        .beat(beats)
        .onErrorResume(
            e -> {
              log.warn("Could not write {} heartbeat(s): {}", beats.size(), e.toString());
              lastHeartbeat = Instant.MIN;
              return Mono.empty();
            });
  }

  /**
   * Why the deployment may launch nothing now for its tenant's spend limit (a refused boot in the
   * last {@link #BUDGET_HOLD}, or a limit reached), or null.
   */
  private String budgetReason(DeploymentSpec spec, Instant now) {
    Map.Entry<String, Instant> hold = budgetHolds.get(spec.id());
    if (hold != null) {
      if (now.isBefore(hold.getValue())) {
        return hold.getKey();
      }
      budgetHolds.remove(spec.id());
    }
    return budget.exhausted(spec.tenantId()).orElse(null);
  }

  /**
   * A deployment held for the spend limit keeps nothing running and launches nothing; a refused
   * boot shows as {@code failed} with the reason (held requests answer 402 at once), a reached
   * limit as {@code scaled_to_zero} with the reason once drained.
   */
  private Reconcile.Decision budgetDecision(
      DeploymentSpec spec, Reconcile.Decision d, String reason) {
    boolean refused = budgetHolds.containsKey(spec.id());
    String status = d.status() == null ? null : refused ? "failed" : d.status();
    return new Reconcile.Decision(
        d.target(), 0, d.drain(), d.stop(), status, status == null ? null : reason);
  }

  private Duration staleWakeUp() {
    return policy.leaseTtl().plus(policy.tick());
  }

  private void loseLeadership(String why) {
    log.warn("Activator {} no longer leads ({}); the instances stay for the next leader", id, why);
    leader = false;
    tracked.clear();
    failures.clear();
    reported.clear();
    capacity.clear();
    missingSince.clear();
    targets.clear();
  }

  private Mono<Void> pass(
      Tuple3<Map<String, DeploymentSpec>, Map<String, Integer>, List<RuntimeInstance>> in,
      Instant now) {
    Map<String, DeploymentSpec> specs = in.getT1();
    Map<String, Integer> desired = new HashMap<>(in.getT2());
    List<Mono<Void>> io = new ArrayList<>();
    drainStopped(specs, io);
    for (Tracked t : tracked.values()) {
      DeploymentSpec s = specs.get(t.spec.id());
      if (s != null) {
        t.spec = s;
      }
    }
    return endpointsOf(specs.keySet())
        .flatMap(
            published -> {
              observe(in.getT3(), specs, published, now, io);
              return probeAll(now, io);
            })
        .then(
            Mono.defer(
                () -> {
                  wakeUp(specs, desired, now, io);
                  List<Mono<LaunchOutcome>> launches = decideAll(specs, desired, now, io);
                  // Launch answers come back on runtime threads; they are applied here, in one
                  // place, after all of them, so the tracked state has a single writer.
                  return Flux.merge(launches)
                      .collectList()
                      .doOnNext(outcomes -> outcomes.forEach(o -> applyLaunch(o, now, io)))
                      .then(Mono.defer(() -> Mono.when(io)));
                }))
        .then(Mono.defer(() -> syncRedis(specs, now)))
        .doOnSuccess(v -> kickSoonIfBusy());
  }

  /** Another pass soon while something boots or a wake-up came in during this pass. */
  private void kickSoonIfBusy() {
    boolean booting = false;
    for (Tracked t : tracked.values()) {
      booting |= t.phase == Phase.STARTING || (t.phase == Phase.PENDING && t.launched);
    }
    if (booting || !wakeUps.isEmpty()) {
      Mono.delay(wakeUps.isEmpty() ? BOOT_POLL : Duration.ofMillis(1))
          .subscribe(x -> kicks.tryEmitNext(true));
    }
  }

  /** Whether the deployment has been missing from Redis for longer than the grace. */
  private boolean goneForGood(String deploymentId, Map<String, DeploymentSpec> specs, Instant now) {
    if (specs.containsKey(deploymentId)) {
      missingSince.remove(deploymentId);
      return false;
    }
    Instant since = missingSince.computeIfAbsent(deploymentId, k -> now);
    return !Duration.between(since, now).minus(MISSING_GRACE).isNegative();
  }

  /** Every endpoint hash of a live deployment, by deployment id (errors: treated as empty). */
  private Mono<Map<String, Map<String, InstanceEndpoint>>> endpointsOf(Set<String> deploymentIds) {
    return Flux.fromIterable(deploymentIds)
        .flatMap(
            d -> redis.endpoints(d).map(m -> Map.entry(d, m)).onErrorResume(e -> Mono.empty()), 8)
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** Stops that finished since the last pass: forget the instance, write STOPPED. */
  private void drainStopped(Map<String, DeploymentSpec> specs, List<Mono<Void>> io) {
    String instanceId;
    while ((instanceId = stopped.poll()) != null) {
      Tracked t = tracked.remove(instanceId);
      if (t != null) {
        io.add(quiet(redis.unpublish(t.spec.id(), t.id)));
      }
    }
    while ((instanceId = stopFailed.poll()) != null) {
      Tracked t = tracked.get(instanceId);
      if (t != null && t.phase == Phase.STOPPING) {
        requestStop(t);
      }
    }
  }

  /** Applies what the runtime reports: adoption, scheduling, exits. */
  private void observe(
      List<RuntimeInstance> observed,
      Map<String, DeploymentSpec> specs,
      Map<String, Map<String, InstanceEndpoint>> published,
      Instant now,
      List<Mono<Void>> io) {
    Set<String> seen = new HashSet<>();
    for (RuntimeInstance r : observed) {
      seen.add(r.instanceId());
      Tracked t = tracked.get(r.instanceId());
      if (t == null) {
        t = adopt(r, specs, published, now, io);
        if (t == null) {
          continue;
        }
      }
      if (t.phase == Phase.STOPPING) {
        continue;
      }
      if (r.url() != null) {
        // A pod briefly without an IP keeps its last known address (no routing flap).
        t.url = r.url();
      }
      t.runtimeReady = r.runtimeReady();
      switch (r.phase()) {
        case PENDING -> {
          if (r.detail() != null) {
            capacity.put(t.spec.id(), r.detail());
          }
        }
        case RUNNING -> {
          if (t.phase == Phase.PENDING) {
            scheduled(t, now);
          }
        }
        case EXITED -> exited(t, r.detail(), now, io);
        default -> throw new IllegalStateException(r.phase().toString());
      }
    }
    for (Tracked t : List.copyOf(tracked.values())) {
      if (!seen.contains(t.id) && t.launched && t.phase != Phase.STOPPING) {
        // Launched, yet the runtime no longer knows it: it is gone.
        exited(t, "the runtime no longer has it", now, io);
      }
    }
  }

  /** An instance the runtime runs that this activator does not track: an earlier leader's. */
  private Tracked adopt(
      RuntimeInstance r,
      Map<String, DeploymentSpec> specs,
      Map<String, Map<String, InstanceEndpoint>> published,
      Instant now,
      List<Mono<Void>> io) {
    DeploymentSpec spec = specs.get(r.deploymentId());
    if (spec == null && !goneForGood(r.deploymentId(), specs, now)) {
      return null;
    }
    if (spec == null || r.phase() == RuntimeInstance.Phase.EXITED) {
      // Its deployment is gone, or it ended while nobody watched: clean up, and close its bill
      // (an earlier leader may have written SCHEDULED). Without the spec, the tenant and GPUs are
      // unknown and no event can be written: billing's heartbeat sweeper closes such instances.
      Tracked gone = spec == null ? null : new Tracked(r.instanceId(), spec, Phase.STOPPING, now);
      if (gone != null) {
        event(
            gone,
            LifecycleEvent.Type.FAILED,
            now,
            "ended while no activator watched: " + r.detail());
      }
      io.add(
          quiet(
              runtime
                  .stop(r.instanceId(), policy.stopGrace())
                  .doOnSuccess(
                      v -> {
                        if (gone != null) {
                          event(gone, LifecycleEvent.Type.STOPPED, clock.instant(), null);
                        }
                      })));
      if (spec == null && r.phase() != RuntimeInstance.Phase.EXITED) {
        log.info("Stopping instance {} of a deployment that no longer exists", r.instanceId());
      }
      return null;
    }
    InstanceEndpoint e = published.getOrDefault(spec.id(), Map.of()).get(r.instanceId());
    Phase phase =
        r.phase() == RuntimeInstance.Phase.PENDING
            ? Phase.PENDING
            : e == null
                ? Phase.STARTING
                : e.state() == InstanceEndpoint.State.READY ? Phase.READY : Phase.DRAINING;
    Tracked t = new Tracked(r.instanceId(), spec, phase, now);
    t.launched = true;
    t.url = r.url();
    if (phase != Phase.PENDING) {
      // Billed and ranked from when it took its GPUs, if the runtime knows, not from now.
      Instant since =
          r.heldGpusSince() != null && r.heldGpusSince().isBefore(now) ? r.heldGpusSince() : now;
      t.scheduledAt = since;
      if (phase == Phase.STARTING) {
        t.since = since;
      }
      // Same event id as the one the earlier leader wrote, if it did: the ledger keeps the first.
      event(t, LifecycleEvent.Type.SCHEDULED, since, "adopted");
    }
    log.info("Adopted instance {} of {} as {}", t.id, spec.fullName(), phase);
    tracked.put(t.id, t);
    return t;
  }

  private void scheduled(Tracked t, Instant now) {
    t.enter(Phase.STARTING, now);
    t.scheduledAt = now;
    capacity.remove(t.spec.id());
    event(t, LifecycleEvent.Type.SCHEDULED, now, null);
  }

  /** The instance ended by itself. During boot that is a boot failure; after it, a crash. */
  private void exited(Tracked t, String detail, Instant now, List<Mono<Void>> io) {
    switch (t.phase) {
      case PENDING, STARTING -> bootFailed(t, detail, now, io);
      case READY -> {
        Duration up = Duration.between(t.since, now);
        if (up.compareTo(STABLE_AFTER) < 0) {
          // Crashing right after readiness is a crash loop too: it counts towards `failed`.
          bootFailed(
              t, "crashed " + up.toSeconds() + " s after it became ready: " + detail, now, io);
        } else {
          log.warn("Instance {} of {} crashed: {}", t.id, t.spec.fullName(), detail);
          event(t, LifecycleEvent.Type.FAILED, now, "crashed: " + detail);
          stopInstance(t, now, io);
        }
      }
      case DRAINING -> stopInstance(t, now, io);
      default -> {
        // STOPPING: an exit is what was asked for
      }
    }
  }

  private void bootFailed(Tracked t, String detail, Instant now, List<Mono<Void>> io) {
    Failures f = failures.computeIfAbsent(t.spec.id(), k -> new Failures());
    f.count++;
    f.last = detail;
    f.nextLaunchAt = now.plus(policy.backoffAfter(f.count));
    if (f.count >= policy.failureLimit()) {
      f.failedAt = now;
    }
    log.warn(
        "Instance {} of {} failed to boot ({} of {}): {}",
        t.id,
        t.spec.fullName(),
        f.count,
        policy.failureLimit(),
        detail);
    event(t, LifecycleEvent.Type.FAILED, now, detail);
    if (t.launched) {
      stopInstance(t, now, io);
    } else {
      tracked.remove(t.id);
      event(t, LifecycleEvent.Type.STOPPED, now, null);
    }
  }

  /** Takes the instance out of routing at once and stops it; STOPPED follows when it is gone. */
  private void stopInstance(Tracked t, Instant now, List<Mono<Void>> io) {
    if (t.phase == Phase.STOPPING) {
      return;
    }
    boolean wasPublished = t.published();
    t.enter(Phase.STOPPING, now);
    if (!t.launched) {
      tracked.remove(t.id);
      event(t, LifecycleEvent.Type.STOPPED, now, null);
      return;
    }
    if (wasPublished) {
      io.add(quiet(redis.unpublish(t.spec.id(), t.id)));
    }
    requestStop(t);
  }

  /**
   * Asks the runtime to stop the instance, outside the pass (a stop can take the whole grace
   * period). Its STOPPED event is written when the stop succeeds, whoever leads by then (the outbox
   * is thread-safe); the pass forgets it, or retries a failed stop, through the queues.
   */
  private void requestStop(Tracked t) {
    t.stopRequested = true;
    String instanceId = t.id;
    LifecycleEvent stoppedEvent = eventOf(t, LifecycleEvent.Type.STOPPED, null);
    runtime
        .stop(instanceId, policy.stopGrace())
        .doOnSuccess(
            v -> {
              events.add(withTime(stoppedEvent, clock.instant()));
              stopped.add(instanceId);
            })
        .doOnError(
            e -> {
              log.warn("Stopping instance {} failed ({}); retrying", instanceId, e.toString());
              stopFailed.add(instanceId);
            })
        .onErrorResume(e -> Mono.empty())
        .subscribe();
  }

  // --- probes ---

  private record ProbeResult(Tracked t, Probe.Health health, OptionalInt inFlight) {
    boolean healthy() {
      return health == Probe.Health.UP;
    }
  }

  /**
   * Consecutive unanswered health probes (timeouts) after which a ready instance counts as hung. A
   * busy engine answers {@code /health} late; replacing it would cut every request it serves.
   */
  static final int SLOW_PROBES_HUNG = 30;

  private Mono<Void> probeAll(Instant now, List<Mono<Void>> io) {
    List<Tracked> probed = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      if (t.url == null) {
        continue;
      }
      if ((t.phase == Phase.STARTING && t.runtimeReady) || t.phase == Phase.READY) {
        probed.add(t);
      } else if (t.phase == Phase.DRAINING
          && !Duration.between(t.since, now).minus(policy.drainSettle()).isNegative()) {
        probed.add(t);
      }
    }
    for (Tracked t : List.copyOf(tracked.values())) {
      Duration bootTimeout = Duration.ofSeconds(t.spec.settings().activationTimeoutS());
      if (t.phase == Phase.STARTING
          && !Duration.between(t.since, now).minus(bootTimeout).isNegative()) {
        bootFailed(t, "did not answer /health within " + bootTimeout.toSeconds() + " s", now, io);
      }
    }
    for (Tracked t : tracked.values()) {
      if (t.phase == Phase.READY && Duration.between(t.since, now).compareTo(STABLE_AFTER) >= 0) {
        failures.remove(t.spec.id());
      }
    }
    for (Tracked t : List.copyOf(tracked.values())) {
      // The drain timeout holds even for an instance that cannot be probed.
      if (t.phase == Phase.DRAINING
          && !Duration.between(t.since, now).minus(policy.drainTimeout()).isNegative()) {
        log.warn("Instance {} still draining after the drain timeout; stopping it", t.id);
        stopInstance(t, now, io);
      }
    }
    return Flux.fromIterable(probed)
        .flatMap(
            t ->
                t.phase == Phase.DRAINING
                    ? probe.inFlight(t.url).map(n -> new ProbeResult(t, Probe.Health.UP, n))
                    : probe.health(t.url).map(h -> new ProbeResult(t, h, OptionalInt.empty())),
            32)
        .collectList()
        .doOnNext(results -> results.forEach(r -> applyProbe(r, now, io)))
        .then();
  }

  private void applyProbe(ProbeResult r, Instant now, List<Mono<Void>> io) {
    Tracked t = r.t();
    switch (t.phase) {
      case STARTING -> {
        if (r.healthy()) {
          t.enter(Phase.READY, now);
          t.healthFailures = 0;
          log.info(
              "Instance {} of {} is ready at {} ({} ms after it was scheduled)",
              t.id,
              t.spec.fullName(),
              t.url,
              t.scheduledAt == null ? -1 : Duration.between(t.scheduledAt, now).toMillis());
          event(t, LifecycleEvent.Type.READY, now, null);
          io.add(quiet(redis.publish(t.endpoint(nextVersion()))));
        }
      }
      case READY -> {
        switch (r.health()) {
          case UP -> {
            t.healthFailures = 0;
            t.slowProbes = 0;
          }
          case DOWN -> t.healthFailures++;
          default -> t.slowProbes++;
        }
        if (t.healthFailures >= policy.healthFailures() || t.slowProbes >= SLOW_PROBES_HUNG) {
          log.warn(
              "Instance {} of {} failed {} health probes ({} unanswered); draining and replacing it",
              t.id,
              t.spec.fullName(),
              t.healthFailures,
              t.slowProbes);
          event(t, LifecycleEvent.Type.FAILED, now, "failed its health probes");
          // Drained, not stopped: whatever it still serves finishes (or the drain timeout ends
          // it); a replacement launches at once since a draining instance is not capacity.
          beginDrainOrStop(t, now, io);
        }
      }
      case DRAINING -> {
        boolean idle = r.inFlight().isPresent() && r.inFlight().getAsInt() == 0;
        boolean timedOut =
            !Duration.between(t.since, now).minus(policy.drainTimeout()).isNegative();
        if (idle || timedOut) {
          if (timedOut && !idle) {
            log.warn("Instance {} still busy after the drain timeout; stopping it", t.id);
          }
          stopInstance(t, now, io);
        }
      }
      default -> {}
    }
  }

  // --- decisions ---

  /** Wake-ups: raise desired from zero, and give a failed deployment a new try after cooldown. */
  private void wakeUp(
      Map<String, DeploymentSpec> specs,
      Map<String, Integer> desired,
      Instant now,
      List<Mono<Void>> io) {
    for (String deploymentId : List.copyOf(wakeUps.keySet())) {
      wakeUps.remove(deploymentId);
      DeploymentSpec spec = specs.get(deploymentId);
      if (spec == null || "deleting".equals(spec.status())) {
        continue;
      }
      Failures f = failures.get(deploymentId);
      if (f != null && f.failedAt != null) {
        if (now.isBefore(f.failedAt.plus(policy.failureCooldown()))) {
          continue;
        }
        log.info("Retrying failed deployment {} after a wake-up", spec.fullName());
        failures.remove(deploymentId);
      }
      int floor =
          Math.min(Math.max(1, spec.settings().minInstances()), spec.settings().maxInstances());
      if (desired.getOrDefault(deploymentId, 0) < floor) {
        desired.put(deploymentId, floor);
        io.add(quiet(redis.wake(deploymentId, floor, now.toEpochMilli()).then()));
      }
    }
  }

  private List<Mono<LaunchOutcome>> decideAll(
      Map<String, DeploymentSpec> specs,
      Map<String, Integer> desired,
      Instant now,
      List<Mono<Void>> io) {
    Map<String, List<Tracked>> byDeployment = new HashMap<>();
    for (Tracked t : tracked.values()) {
      byDeployment.computeIfAbsent(t.spec.id(), k -> new ArrayList<>()).add(t);
    }
    // Instances of deployments that vanished (finalized or removed): stop them.
    for (var e : byDeployment.entrySet()) {
      if (goneForGood(e.getKey(), specs, now)) {
        e.getValue().forEach(t -> beginDrainOrStop(t, now, io));
      }
    }
    // What is kept per deployment goes with it.
    for (String gone : List.copyOf(failures.keySet())) {
      if (!specs.containsKey(gone)) {
        failures.remove(gone);
      }
    }
    capacity.keySet().retainAll(specs.keySet());
    reported.keySet().retainAll(specs.keySet());
    targets.keySet().retainAll(specs.keySet());
    List<Mono<LaunchOutcome>> launches = new ArrayList<>();
    for (DeploymentSpec spec : specs.values()) {
      List<Tracked> mine = byDeployment.getOrDefault(spec.id(), List.of());
      Failures f = failures.get(spec.id());
      String broke = budgetReason(spec, now);
      Reconcile.Decision d =
          Reconcile.decide(
              new Reconcile.Input(
                  broke != null ? 0 : spec.settings().minInstances(),
                  spec.settings().maxInstances(),
                  "deleting".equals(spec.status()),
                  // No entry means "not decided" (none yet, or Redis restarted empty), not zero:
                  // keep what runs. An explicit 0 scales to zero.
                  broke != null
                      ? 0
                      : desired.getOrDefault(
                          spec.id(), (int) mine.stream().filter(t -> t.phase.active()).count()),
                  mine.stream().map(Tracked::view).toList(),
                  f == null ? 0 : f.count,
                  policy.failureLimit(),
                  failureReason(f),
                  f == null ? null : f.nextLaunchAt,
                  capacity.get(spec.id()),
                  now));
      if (broke != null) {
        d = budgetDecision(spec, d, broke);
      }
      for (String victim : d.drain()) {
        beginDrainOrStop(tracked.get(victim), now, io);
      }
      for (String victim : d.stop()) {
        stopInstance(tracked.get(victim), now, io);
      }
      for (Tracked t : mine) {
        if (broke == null && t.phase == Phase.PENDING && !t.launched && !d.stop().contains(t.id)) {
          launches.add(launch(t, now));
        }
      }
      for (int i = 0; i < d.launch(); i++) {
        Tracked t = new Tracked(newInstanceId(spec), spec, Phase.PENDING, now);
        tracked.put(t.id, t);
        event(t, LifecycleEvent.Type.REQUESTED, now, null);
        launches.add(launch(t, now));
      }
      targets.put(spec.id(), d.target());
      report(spec, d, now, io);
      if ("deleting".equals(spec.status()) && mine.isEmpty() && d.launch() == 0) {
        io.add(quiet(status.finalizeDeleted(spec.id())));
      }
    }
    return launches;
  }

  private String failureReason(Failures f) {
    if (f == null || f.last == null) {
      return null;
    }
    return "instances failed to start "
        + f.count
        + " time(s) in a row (crash loop or image error); last: "
        + f.last;
  }

  private void beginDrainOrStop(Tracked t, Instant now, List<Mono<Void>> io) {
    if (t == null) {
      return;
    }
    if (t.phase == Phase.READY) {
      t.enter(Phase.DRAINING, now);
      event(t, LifecycleEvent.Type.DRAINING, now, null);
      io.add(quiet(redis.publish(t.endpoint(nextVersion()))));
    } else if (t.phase != Phase.DRAINING) {
      stopInstance(t, now, io);
    }
  }

  /**
   * A launch's answer: the runtime's result, or the error it failed with, or the spend limit's
   * refusal (then nothing was launched).
   */
  private record LaunchOutcome(Tracked t, Launch result, Throwable error, String refused) {}

  private Mono<LaunchOutcome> launch(Tracked t, Instant now) {
    // The first hour is billed at start: it must fit in the tenant's budget before anything boots.
    return budget
        .reserve(t.spec.tenantId(), t.spec.id(), t.id, t.spec.gpu(), t.spec.numGpus())
        .onErrorResume(
            e -> {
              // Billing unreachable: the boot waits for the next pass rather than risk the limit.
              log.warn("Cannot check the spend limit for {}: {}", t.spec.fullName(), e.toString());
              return Mono.just(BudgetPort.Answer.refused(null));
            })
        .flatMap(
            answer ->
                answer.allowed()
                    ? runtime
                        .launch(new InstancePlan(t.id, t.spec))
                        .map(result -> new LaunchOutcome(t, result, null, null))
                        .onErrorResume(e -> Mono.just(new LaunchOutcome(t, null, e, null)))
                    : Mono.just(
                        new LaunchOutcome(
                            t, null, null, answer.reason() == null ? "" : answer.reason())));
  }

  /** The spend limit refused the boot: forget the instance, hold the deployment, desired 0. */
  private void budgetRefused(Tracked t, String reason, Instant now, List<Mono<Void>> io) {
    if (reason.isEmpty()) {
      return; // billing unreachable: stays pending, tried again next pass
    }
    log.warn("Deployment {} not started: {}", t.spec.fullName(), reason);
    tracked.remove(t.id);
    event(t, LifecycleEvent.Type.FAILED, now, reason);
    event(t, LifecycleEvent.Type.STOPPED, now, null);
    budgetHolds.put(t.spec.id(), Map.entry(reason, now.plus(BUDGET_HOLD)));
    io.add(quiet(redis.setDesired(t.spec.id(), 0, "spend limit reached", now.toEpochMilli())));
  }

  private void applyLaunch(LaunchOutcome o, Instant now, List<Mono<Void>> io) {
    Tracked t = o.t();
    if (tracked.get(t.id) != t) {
      return;
    }
    if (o.refused() != null) {
      budgetRefused(t, o.refused(), now, io);
      return;
    }
    if (o.error() != null) {
      bootFailed(t, "cannot start the instance: " + o.error().getMessage(), now, io);
      return;
    }
    switch (o.result()) {
      case Launch.Accepted a -> {
        t.launched = true;
        capacity.remove(t.spec.id());
      }
      case Launch.NoCapacity n -> {
        if (!n.reason().equals(capacity.put(t.spec.id(), n.reason()))) {
          log.warn("Deployment {} waits: {}", t.spec.fullName(), n.reason());
        }
      }
    }
  }

  /** Tells the control plane a status that differs from what the published spec says. */
  private void report(DeploymentSpec spec, Reconcile.Decision d, Instant now, List<Mono<Void>> io) {
    if (d.status() == null || "deleting".equals(spec.status())) {
      return;
    }
    boolean same = d.status().equals(spec.status()) && Objects.equals(d.reason(), spec.reason());
    Reported last = reported.get(spec.id());
    if (same) {
      reported.remove(spec.id());
      return;
    }
    // Re-sent only if the publication has not caught up after a few seconds.
    if (last != null
        && last.status().equals(d.status())
        && Objects.equals(last.reason(), d.reason())
        && now.isBefore(last.at().plusSeconds(5))) {
      return;
    }
    reported.put(spec.id(), new Reported(d.status(), d.reason(), now));
    log.info(
        "Deployment {}: {}{}",
        spec.fullName(),
        d.status(),
        d.reason() == null ? "" : " (" + d.reason() + ")");
    io.add(quiet(status.report(spec.id(), d.status(), d.reason())));
  }

  // --- Redis ---

  /**
   * Makes Redis match what is tracked: endpoints of ready and draining instances (republished when
   * missing, e.g. after a Redis restart), no endpoint of anything else, and the live counts.
   */
  private Mono<Void> syncRedis(Map<String, DeploymentSpec> specs, Instant now) {
    Map<String, ActivatorRedis.LiveCounts> live = new HashMap<>();
    Map<String, List<Tracked>> byDeployment = new HashMap<>();
    for (Tracked t : tracked.values()) {
      byDeployment.computeIfAbsent(t.spec.id(), k -> new ArrayList<>()).add(t);
    }
    for (DeploymentSpec spec : specs.values()) {
      List<Tracked> mine = byDeployment.getOrDefault(spec.id(), List.of());
      int pending = 0;
      int starting = 0;
      int ready = 0;
      int draining = 0;
      List<ActivatorRedis.LiveInstance> instances = new ArrayList<>();
      for (Tracked t : mine) {
        instances.add(
            new ActivatorRedis.LiveInstance(
                t.id, t.phase.name().toLowerCase(java.util.Locale.ROOT), t.scheduledAt));
        switch (t.phase) {
          case PENDING -> pending++;
          case STARTING -> starting++;
          case READY -> ready++;
          default -> draining++;
        }
      }
      live.put(
          spec.id(),
          new ActivatorRedis.LiveCounts(
              targets.getOrDefault(spec.id(), pending + starting + ready),
              pending,
              starting,
              ready,
              draining,
              instances));
    }
    Mono<Void> endpoints =
        Flux.fromIterable(specs.keySet())
            .concatWith(redis.deploymentsWithEndpoints().onErrorResume(e -> Flux.empty()))
            .distinct()
            .flatMap(
                d ->
                    redis
                        .endpoints(d)
                        .flatMap(
                            have -> fixEndpoints(d, have, byDeployment.getOrDefault(d, List.of())))
                        .onErrorResume(e -> Mono.empty()),
                8)
            .then();
    return endpoints.then(quiet(redis.publishLive(live, now.toEpochMilli())));
  }

  private Mono<Void> fixEndpoints(
      String deploymentId, Map<String, InstanceEndpoint> have, List<Tracked> mine) {
    List<Mono<Void>> fixes = new ArrayList<>();
    Set<String> want = new HashSet<>();
    for (Tracked t : mine) {
      if (!t.published() || t.url == null) {
        continue;
      }
      want.add(t.id);
      InstanceEndpoint e = have.get(t.id);
      InstanceEndpoint.State state =
          t.phase == Phase.READY ? InstanceEndpoint.State.READY : InstanceEndpoint.State.DRAINING;
      if (e == null || e.state() != state || !t.url.equals(e.url())) {
        fixes.add(redis.publish(t.endpoint(nextVersion())));
      }
    }
    for (String stale : have.keySet()) {
      if (!want.contains(stale)) {
        fixes.add(redis.unpublish(deploymentId, stale));
      }
    }
    return Mono.when(fixes);
  }

  // --- helpers ---

  private void event(Tracked t, LifecycleEvent.Type type, Instant at, String detail) {
    events.add(withTime(eventOf(t, type, detail), at));
  }

  private LifecycleEvent eventOf(Tracked t, LifecycleEvent.Type type, String detail) {
    return LifecycleEvent.of(
        t.id,
        t.spec.id(),
        t.spec.tenantId(),
        type,
        Instant.EPOCH,
        t.spec.gpu(),
        t.spec.numGpus(),
        runtime.name(),
        detail);
  }

  private static LifecycleEvent withTime(LifecycleEvent e, Instant at) {
    return new LifecycleEvent(
        e.eventId(),
        e.instanceId(),
        e.deploymentId(),
        e.tenantId(),
        e.type(),
        at,
        e.gpu(),
        e.numGpus(),
        e.runtime(),
        e.detail());
  }

  /** Endpoint versions grow across leaders: milliseconds, then a counter within one. */
  private long nextVersion() {
    long floor = clock.millis() * 1000;
    return versions.updateAndGet(v -> Math.max(v + 1, floor));
  }

  private static String newInstanceId(DeploymentSpec spec) {
    String dep = spec.id().replace("-", "");
    return dep.substring(0, Math.min(8, dep.length()))
        + "-"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  private static Mono<Void> quiet(Mono<Void> work) {
    return work.onErrorResume(
        e -> {
          log.warn("Activator write failed ({}); the next pass repairs it", e.toString());
          return Mono.empty();
        });
  }

  /** Test and diagnostics view: tracked instances by phase. */
  public Map<String, Phase> phases() {
    Map<String, Phase> out = new HashMap<>();
    tracked.forEach((k, v) -> out.put(k, v.phase));
    return out;
  }
}
