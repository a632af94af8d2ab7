package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Drain before stop, and stops. A ready instance is published as draining first (gateways send it
 * nothing new) and stopped once idle or after the drain timeout; anything else is stopped at once.
 * A stop runs outside the pass (it can take the whole grace period) and reports back through queues
 * that the next pass reads.
 */
final class Stopping {

  private static final Logger log = LoggerFactory.getLogger(Stopping.class);

  private final Parts parts;
  private final ActivatorPolicy policy;
  private final Fleet fleet;
  private final HealthProbe probe;

  /** Stops that finished (their STOPPED event is already written) or failed, for the pass. */
  private final ConcurrentLinkedQueue<String> stopped = new ConcurrentLinkedQueue<>();

  private final ConcurrentLinkedQueue<String> stopFailed = new ConcurrentLinkedQueue<>();

  Stopping(Parts parts, HealthProbe probe) {
    this.parts = parts;
    this.policy = parts.policy();
    this.fleet = parts.fleet();
    this.probe = probe;
  }

  /** Drains a ready instance; stops anything else that is not draining already. */
  void drainOrStop(Tracked t, Instant now, Writes io) {
    if (t == null) {
      return;
    }
    if (t.phase == Phase.READY) {
      t.enter(Phase.DRAINING, now);
      parts.events().add(t, LifecycleEvent.Type.DRAINING, now, null);
      io.add(parts.endpoints().publish(t));
    } else if (t.phase != Phase.DRAINING) {
      stop(t, now, io);
    }
  }

  /** Takes the instance out of routing at once and stops it; STOPPED follows when it is gone. */
  void stop(Tracked t, Instant now, Writes io) {
    if (t == null || t.phase == Phase.STOPPING) {
      return;
    }
    boolean wasPublished = t.published();
    t.enter(Phase.STOPPING, now);
    if (!t.launched) {
      fleet.tracked.remove(t.id);
      parts.events().add(t, LifecycleEvent.Type.STOPPED, now, null);
      return;
    }
    if (wasPublished) {
      io.add(parts.endpoints().unpublish(t));
    }
    requestStop(t);
  }

  /**
   * Asks the runtime to stop the instance, outside the pass. Its STOPPED event is written when the
   * stop succeeds, whoever leads by then (the outbox is thread-safe); the pass forgets it, or
   * retries a failed stop, through the queues.
   */
  private void requestStop(Tracked t) {
    String instanceId = t.id;
    Events.Prepared stoppedEvent = parts.events().of(t, LifecycleEvent.Type.STOPPED, null);
    parts
        .runtime()
        .stop(instanceId, policy.stopGrace())
        .doOnSuccess(
            v -> {
              parts.events().add(stoppedEvent, parts.clock().instant());
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

  /** Stops that finished since the last pass: forget the instance; failed ones: ask again. */
  void collect(Writes io) {
    String instanceId;
    while ((instanceId = stopped.poll()) != null) {
      Tracked t = fleet.tracked.remove(instanceId);
      if (t != null) {
        io.add(parts.endpoints().unpublish(t));
      }
    }
    while ((instanceId = stopFailed.poll()) != null) {
      Tracked t = fleet.tracked.get(instanceId);
      if (t != null && t.phase == Phase.STOPPING) {
        requestStop(t);
      }
    }
  }

  /**
   * On shutdown: drain every ready instance, give them {@code shutdownDrain} to finish, stop
   * everything (tracked or not) and write the events.
   */
  Mono<Void> shutdown() {
    Instant now = parts.clock().instant();
    List<Tracked> all = new ArrayList<>(fleet.tracked.values());
    if (all.isEmpty()) {
      return stopUntracked();
    }
    log.info("Stopping {} instance(s) before shutdown", all.size());
    List<Mono<Void>> drains = new ArrayList<>();
    for (Tracked t : all) {
      if (t.phase == Phase.READY) {
        t.enter(Phase.DRAINING, now);
        parts.events().add(t, LifecycleEvent.Type.DRAINING, now, "shutdown");
        drains.add(parts.endpoints().publish(t).onErrorResume(e -> Mono.empty()));
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
        .thenMany(Flux.fromIterable(all).flatMap(this::stopForShutdown))
        .then(Mono.defer(this::stopUntracked))
        .doFinally(s -> fleet.tracked.clear());
  }

  private Mono<Void> stopForShutdown(Tracked t) {
    return parts
        .runtime()
        .stop(t.id, policy.stopGrace())
        // Billing stops only when the GPUs are really free.
        .doOnSuccess(
            v ->
                parts
                    .events()
                    .add(t, LifecycleEvent.Type.STOPPED, parts.clock().instant(), "shutdown"))
        .onErrorResume(
            e -> {
              log.warn("Could not stop instance {}: {}", t.id, e.toString());
              return Mono.empty();
            })
        .then(parts.endpoints().unpublish(t).onErrorResume(e -> Mono.empty()));
  }

  /**
   * Instances the runtime runs that no pass recorded (a launch that completed after the last pass
   * was cancelled): stopped too, so nothing outlives the app.
   */
  private Mono<Void> stopUntracked() {
    return parts
        .runtime()
        .list()
        .flatMapMany(Flux::fromIterable)
        .filter(r -> !fleet.tracked.containsKey(r.instanceId()))
        .flatMap(
            r ->
                parts
                    .runtime()
                    .stop(r.instanceId(), policy.stopGrace())
                    .onErrorResume(e -> Mono.empty()))
        .then()
        .onErrorResume(e -> Mono.empty());
  }

  private Mono<Void> waitIdle(String url) {
    return Flux.interval(Duration.ZERO, policy.idlePoll())
        .concatMap(i -> probe.inFlight(url))
        // At shutdown an unreadable count ends the wait too: the drain time is short anyway.
        .filter(n -> n.isEmpty() || n.getAsInt() == 0)
        .next()
        .then();
  }
}
