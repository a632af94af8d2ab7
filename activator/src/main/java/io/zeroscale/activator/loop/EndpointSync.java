package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.LiveCounts;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The published side of the tracked instances: endpoints of ready and draining ones (with versions
 * that grow across leaders), and the live counts. After every pass, the store is made to match what
 * is tracked, so that a lost write or a restarted Redis is repaired within a tick.
 */
final class EndpointSync {

  private final ActivatorStore store;
  private final Clock clock;
  private final AtomicLong versions = new AtomicLong();

  EndpointSync(ActivatorStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Publishes the instance's endpoint as it is now (ready or draining). */
  Mono<Void> publish(Tracked t) {
    return store.publish(t.endpoint(nextVersion()));
  }

  Mono<Void> unpublish(Tracked t) {
    return store.unpublish(t.spec.id(), t.id);
  }

  /** Every endpoint hash of a live deployment, by deployment id (errors: treated as empty). */
  Mono<Map<String, Map<String, InstanceEndpoint>>> published(Set<String> deploymentIds) {
    return Flux.fromIterable(deploymentIds)
        .flatMap(
            d -> store.endpoints(d).map(m -> Map.entry(d, m)).onErrorResume(e -> Mono.empty()), 8)
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /**
   * Makes the store match what is tracked: endpoints of ready and draining instances (republished
   * when missing, e.g. after a Redis restart, or written without the instance's revision by an
   * older activator), no endpoint of anything else, and the live counts.
   */
  private static Integer inFlightOf(List<Tracked> mine, String id) {
    for (Tracked t : mine) {
      if (t.id.equals(id)) {
        return t.inFlight;
      }
    }
    return null;
  }

  Mono<Void> sync(Map<String, DeploymentSpec> specs, Fleet fleet, Instant now) {
    Map<String, List<Tracked>> byDeployment = fleet.byDeployment();
    Map<String, LiveCounts> live = new HashMap<>();
    for (DeploymentSpec spec : specs.values()) {
      List<Tracked> mine = byDeployment.getOrDefault(spec.id(), List.of());
      live.put(
          spec.id(),
          LiveCounts.of(fleet.targets.get(spec.id()), mine.stream().map(Tracked::view).toList())
              .withInFlight(id -> inFlightOf(mine, id)));
    }
    Mono<Void> endpoints =
        Flux.fromIterable(specs.keySet())
            .concatWith(store.deploymentsWithEndpoints().onErrorResume(e -> Flux.empty()))
            .distinct()
            .flatMap(
                d ->
                    store
                        .endpoints(d)
                        .flatMap(have -> fix(d, have, byDeployment.getOrDefault(d, List.of())))
                        .onErrorResume(e -> Mono.empty()),
                8)
            .then();
    return endpoints.then(Writes.quiet(store.publishLive(live, now)));
  }

  private Mono<Void> fix(
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
      if (e == null
          || e.state() != state
          || !t.url.equals(e.url())
          || !Objects.equals(t.engineKey, e.engineKey())
          || t.revision != e.revision()) {
        fixes.add(publish(t));
      }
    }
    for (String stale : have.keySet()) {
      if (!want.contains(stale)) {
        fixes.add(store.unpublish(deploymentId, stale));
      }
    }
    return Mono.when(fixes);
  }

  /** Endpoint versions grow across leaders: milliseconds, then a counter within one. */
  private long nextVersion() {
    long floor = clock.millis() * 1000;
    return versions.updateAndGet(v -> Math.max(v + 1, floor));
  }
}
