package io.zeroscale.activator.loop;

import io.zeroscale.activator.core.BudgetPort;
import io.zeroscale.activator.core.DeploymentStatusPort;
import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.HeartbeatLog;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.runtime.InstanceRuntime;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.api.DeploymentSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The activator: one leader at a time ({@link Lease}) reconciles every deployment's desired
 * replicas into instances through an {@link InstanceRuntime}, every {@code tick} and at once on a
 * wake-up.
 *
 * <p>One pass ({@link #tick()}):
 *
 * <ol>
 *   <li>take or renew the lease; a new leader adopts what the runtime already runs;
 *   <li>observe the runtime ({@link InstanceTracking}): scheduling, boot failures, crashes;
 *   <li>probe ({@link Probing}): readiness, failing ready instances, idle draining ones;
 *   <li>decide per deployment and apply ({@link Deciding}): launch, drain, stop, status;
 *   <li>make the store match ({@link EndpointSync}), write the lifecycle events and, every {@code
 *       heartbeatEvery}, the heartbeats ({@link Heartbeats});
 *   <li>every {@link ActivatorPolicy#ORPHAN_SWEEP}, free what the runtime keeps for deployments
 *       that are gone ({@link InstanceRuntime#retainOnly}).
 * </ol>
 *
 * Passes never overlap (one at a time, a tick that comes during a pass is dropped), so the tracked
 * state needs no lock; stops, which outlive a pass, report back through queues ({@link Stopping}).
 */
public final class Activator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Activator.class);

  private final String id = "activator-" + UUID.randomUUID().toString().substring(0, 8);
  private final ActivatorPolicy policy;
  private final Clock clock;
  private final InstanceRuntime runtime;
  private final ActivatorStore store;
  private final Fleet fleet;
  private final Events events;
  private final EndpointSync endpoints;
  private final WakeUps wakeUps = new WakeUps();
  private volatile BootTracing tracing = BootTracing.OFF;
  private final Lease lease;
  private final Stopping stopping;
  private final InstanceTracking tracking;
  private final Probing probing;
  private final Deciding deciding;
  private final Heartbeats heartbeats;

  private volatile ActivatorMetrics metrics = ActivatorMetrics.NONE;
  private final AtomicBoolean passRunning = new AtomicBoolean();
  private final Sinks.Many<Boolean> kicks = Sinks.many().multicast().directBestEffort();
  private volatile boolean subscribed;
  private volatile Disposable loop;

  /** When this activator last swept the runtime's orphans (null: not yet). Pass thread only. */
  private Instant lastOrphanSweep;

  /**
   * The activator on its ports.
   *
   * @param runtime where instances run
   * @param store shared state (Redis)
   * @param probe health and in-flight probes of instances
   * @param outbox lifecycle events for billing
   * @param heartbeats where heartbeats of instances holding GPUs go
   * @param status the control plane's status of record
   * @param budget the tenants' spend limits
   * @param policy timing and failure policy
   * @param clock the time of every decision
   */
  public Activator(
      InstanceRuntime runtime,
      ActivatorStore store,
      HealthProbe probe,
      EventOutbox outbox,
      HeartbeatLog heartbeats,
      DeploymentStatusPort status,
      BudgetPort budget,
      ActivatorPolicy policy,
      Clock clock) {
    this.policy = policy;
    this.clock = clock;
    this.runtime = runtime;
    this.store = store;
    this.fleet = new Fleet(policy);
    this.events = new Events(outbox, store, runtime.name());
    this.endpoints = new EndpointSync(store, clock);
    Parts parts = new Parts(policy, clock, runtime, fleet, events, endpoints);
    this.lease = new Lease(id, store, policy, fleet, wakeUps);
    this.stopping = new Stopping(parts, probe);
    this.tracking = new InstanceTracking(parts, stopping);
    this.probing = new Probing(parts, probe, tracking, stopping);
    this.deciding =
        new Deciding(parts, new Deciding.Ports(store, budget, status, wakeUps), tracking, stopping);
    this.heartbeats = new Heartbeats(parts, heartbeats);
  }

  /**
   * Gives each instance a boot span ({@link BootTracing}); call before {@link #start()}.
   *
   * @return this activator
   */
  public Activator traced(BootTracing tracing) {
    this.tracing = tracing;
    events.traced(tracing);
    return this;
  }

  public String id() {
    return id;
  }

  public boolean isLeader() {
    return lease.held();
  }

  /** Exports this activator's operator metrics ({@link ActivatorMetrics}). */
  public void meter(ActivatorMetrics m) {
    this.metrics = m;
    events.meter(m);
    m.leader(this);
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
    if (subscribed) {
      return;
    }
    try {
      store.subscribeWakeUps(
          message -> {
            // "<deployment id>", or "<deployment id> <traceparent>" from a traced request.
            wakeUps.add(tracing.wakeUp(message), clock.instant());
            kicks.tryEmitNext(true);
          });
      subscribed = true;
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
    if (lease.held()) {
      Duration limit = policy.shutdownDrain().plus(policy.stopGrace());
      stopping
          .shutdown()
          .then(events.flush())
          .then(lease.release().onErrorResume(e -> Mono.empty()))
          .timeout(limit.plusSeconds(10))
          .onErrorResume(
              e -> {
                log.warn("Shutdown of instances did not finish cleanly: {}", e.toString());
                return Mono.empty();
              })
          .toFuture()
          .orTimeout(limit.toSeconds() + 15, TimeUnit.SECONDS)
          .exceptionally(e -> null)
          .join();
    }
    lease.drop();
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

  // --- one pass ---

  /** One reconcile pass (see the class comment). Never errors for an expected failure. */
  Mono<Void> tick() {
    subscribeWakeUps();
    Instant now = clock.instant();
    return lease
        .renew(now, runtime.name())
        .flatMap(
            leads ->
                leads
                    ? Mono.zip(store.deployments(), store.desired(), runtime.list())
                        .flatMap(t -> timed(t, now))
                    : Mono.<Void>fromRunnable(metrics::following))
        .doFirst(() -> passRunning.set(true))
        .doFinally(sig -> passRunning.set(false))
        .then(Mono.defer(events::flush))
        .then(Mono.defer(() -> heartbeats.beat(lease.held(), now)));
  }

  /** {@link #pass}, timed for {@link ActivatorMetrics}. */
  private Mono<Void> timed(
      Tuple3<Map<String, DeploymentSpec>, Map<String, Integer>, List<RuntimeInstance>> in,
      Instant now) {
    long start = System.nanoTime();
    return pass(in, now)
        .doOnSuccess(
            v ->
                metrics.passed(
                    System.nanoTime() - start, fleet.tracked.values(), in.getT1().keySet()));
  }

  private Mono<Void> pass(
      Tuple3<Map<String, DeploymentSpec>, Map<String, Integer>, List<RuntimeInstance>> in,
      Instant now) {
    Map<String, DeploymentSpec> specs = in.getT1();
    Map<String, Integer> desired = new HashMap<>(in.getT2());
    Writes io = new Writes();
    stopping.collect(io);
    for (Tracked t : fleet.tracked.values()) {
      DeploymentSpec s = specs.get(t.spec.id());
      if (s != null) {
        t.follow(s);
      }
    }
    return endpoints
        .published(specs.keySet())
        .flatMap(
            published -> {
              tracking.observe(in.getT3(), specs, published, now, io);
              return probing.probeAll(now, io);
            })
        .then(
            Mono.defer(
                () -> {
                  deciding.wakeUps(specs, desired, now, io);
                  var launches = deciding.decideAll(specs, desired, now, io);
                  // Launch answers come back on runtime threads; they are applied here, in one
                  // place, after all of them, so the tracked state has a single writer.
                  return Flux.merge(launches)
                      .collectList()
                      .doOnNext(outcomes -> outcomes.forEach(o -> deciding.applyLaunch(o, now, io)))
                      .then(io.run());
                }))
        .then(Mono.defer(() -> endpoints.sync(specs, fleet, now)))
        .then(Mono.defer(() -> sweepOrphans(specs, in.getT3(), now)))
        .doOnSuccess(v -> kickSoonIfBusy());
  }

  /**
   * Every {@link ActivatorPolicy#ORPHAN_SWEEP}, tells the runtime which deployments are live so
   * that it frees what it keeps for the others: a deployment deleted without instances is finalized
   * by the control plane at once, so this pass may never see it {@code deleting} (and {@link
   * Deciding} never releases it). It runs only within a pass, that is after the full deployment set
   * was read (a failed read skips the pass). Live are the deployments read, plus those of any
   * instance the runtime still runs or this activator tracks (after a Redis restart the deployments
   * come back only with the control plane's next sweep, and their running pods still reference
   * their Secrets). A failed sweep is logged; the next one retries.
   */
  private Mono<Void> sweepOrphans(
      Map<String, DeploymentSpec> specs, List<RuntimeInstance> running, Instant now) {
    if (lastOrphanSweep != null
        && now.isBefore(lastOrphanSweep.plus(ActivatorPolicy.ORPHAN_SWEEP))) {
      return Mono.empty();
    }
    lastOrphanSweep = now;
    Set<String> live = new HashSet<>(specs.keySet());
    running.forEach(r -> live.add(r.deploymentId()));
    fleet.tracked.values().forEach(t -> live.add(t.spec.id()));
    live.remove(null);
    return runtime
        .retainOnly(Set.copyOf(live))
        .onErrorResume(
            e -> {
              log.warn("Could not free the runtime's orphans; retrying later: {}", e.toString());
              return Mono.empty();
            });
  }

  /** Another pass soon while something boots or a wake-up came in during this pass. */
  private void kickSoonIfBusy() {
    if (fleet.booting() || !wakeUps.isEmpty()) {
      Mono.delay(wakeUps.isEmpty() ? policy.bootPoll() : Duration.ofMillis(1))
          .subscribe(x -> kicks.tryEmitNext(true));
    }
  }
}
