package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.reconcile.BootFailures;
import io.zeroscale.activator.reconcile.Health;
import io.zeroscale.activator.reconcile.ProbeVerdict;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Readiness and health: a booting instance is published only once {@code /health} answers 200 (or
 * fails to boot after its activation timeout); a ready one that fails its probes is drained and
 * replaced; a draining one is stopped once it has nothing in flight or after the drain timeout.
 */
final class Probing {

  private static final Logger log = LoggerFactory.getLogger(Probing.class);

  private final Parts parts;
  private final ActivatorPolicy policy;
  private final Fleet fleet;
  private final HealthProbe probe;
  private final InstanceTracking tracking;
  private final Stopping stopping;

  private record Result(Tracked t, Health health, OptionalInt inFlight) {}

  Probing(Parts parts, HealthProbe probe, InstanceTracking tracking, Stopping stopping) {
    this.parts = parts;
    this.policy = parts.policy();
    this.fleet = parts.fleet();
    this.probe = probe;
    this.tracking = tracking;
    this.stopping = stopping;
  }

  /** Probes what needs it and applies the answers, after the time-based rules. */
  Mono<Void> probeAll(Instant now, Writes io) {
    List<Tracked> probed = new ArrayList<>();
    for (Tracked t : fleet.tracked.values()) {
      if (t.url == null) {
        continue;
      }
      if ((t.phase == Phase.STARTING && t.runtimeReady) || t.phase == Phase.READY) {
        probed.add(t);
      } else if (t.phase == Phase.DRAINING
          && ProbeVerdict.probeDraining(Duration.between(t.since, now), policy)) {
        probed.add(t);
      }
    }
    for (Tracked t : List.copyOf(fleet.tracked.values())) {
      Duration bootTimeout = Duration.ofSeconds(t.spec.settings().activationTimeoutS());
      if (t.phase == Phase.STARTING
          && ProbeVerdict.bootTimedOut(Duration.between(t.since, now), bootTimeout)) {
        tracking.bootFailed(
            t, "did not answer /health within " + bootTimeout.toSeconds() + " s", now, io);
      }
    }
    for (Tracked t : fleet.tracked.values()) {
      // Only an instance of the published revision vouches for it: an old one, stable for hours,
      // says nothing of the revision that replaces it.
      if (t.revision == t.spec.revision()
          && BootFailures.clears(t.phase, Duration.between(t.since, now), policy)) {
        fleet.failures.remove(t.spec.id());
      }
    }
    for (Tracked t : List.copyOf(fleet.tracked.values())) {
      // The drain timeout holds even for an instance that cannot be probed.
      if (t.phase == Phase.DRAINING
          && ProbeVerdict.drainTimedOut(Duration.between(t.since, now), policy)) {
        log.warn("Instance {} still draining after the drain timeout; stopping it", t.id);
        stopping.stop(t, now, io);
      }
    }
    return Flux.fromIterable(probed)
        .flatMap(
            t ->
                t.phase == Phase.DRAINING
                    ? probe.inFlight(t.url).map(n -> new Result(t, Health.UP, n))
                    : probe
                        .health(t.url)
                        .flatMap(
                            h ->
                                h == Health.UP && t.phase == Phase.READY
                                    // its load, for the tenant API's instance list
                                    ? probe.inFlight(t.url).map(n -> new Result(t, h, n))
                                    : Mono.just(new Result(t, h, OptionalInt.empty()))),
            32)
        .collectList()
        .doOnNext(results -> results.forEach(r -> apply(r, now, io)))
        .then();
  }

  private void apply(Result r, Instant now, Writes io) {
    Tracked t = r.t();
    if (r.inFlight().isPresent()) {
      t.inFlight = r.inFlight().getAsInt();
    }
    switch (t.phase) {
      case STARTING -> {
        if (r.health() == Health.UP) {
          t.enter(Phase.READY, now);
          t.healthFailures = 0;
          log.info(
              "Instance {} of {} is ready at {} ({} ms after it was scheduled)",
              t.id,
              t.spec.fullName(),
              t.url,
              t.scheduledAt == null ? -1 : Duration.between(t.scheduledAt, now).toMillis());
          parts.events().add(t, LifecycleEvent.Type.READY, now, null);
          io.add(parts.endpoints().publish(t));
        }
      }
      case READY -> {
        ProbeVerdict v = ProbeVerdict.ofReady(t.healthFailures, t.slowProbes, r.health(), policy);
        t.healthFailures = v.failures();
        t.slowProbes = v.slow();
        if (v.replace()) {
          log.warn(
              "Instance {} of {} failed {} health probes ({} unanswered); draining and replacing it",
              t.id,
              t.spec.fullName(),
              t.healthFailures,
              t.slowProbes);
          parts.events().add(t, LifecycleEvent.Type.FAILED, now, "failed its health probes");
          // Drained, not stopped: whatever it still serves finishes (or the drain timeout ends
          // it); a replacement launches at once since a draining instance is not capacity.
          stopping.drainOrStop(t, now, io);
        }
      }
      case DRAINING -> {
        boolean idle = ProbeVerdict.idle(r.inFlight());
        boolean timedOut = ProbeVerdict.drainTimedOut(Duration.between(t.since, now), policy);
        if (idle || timedOut) {
          if (timedOut && !idle) {
            log.warn("Instance {} still busy after the drain timeout; stopping it", t.id);
          }
          stopping.stop(t, now, io);
        }
      }
      default -> {}
    }
  }
}
