package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.api.redis.LeaseState;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The leader lease as this activator holds it. Taken or renewed every pass; when Redis cannot be
 * reached, a leader keeps its state but acts on nothing, and gives up once the lease would have
 * expired. A leader that loses the lease forgets what it tracked: the instances stay for the next
 * leader, which adopts them.
 */
final class Lease {

  private static final Logger log = LoggerFactory.getLogger(Lease.class);

  private final String id;
  private final ActivatorStore store;
  private final ActivatorPolicy policy;
  private final Fleet fleet;
  private final WakeUps wakeUps;
  private final LeaseState state = new LeaseState();

  Lease(String id, ActivatorStore store, ActivatorPolicy policy, Fleet fleet, WakeUps wakeUps) {
    this.id = id;
    this.store = store;
    this.policy = policy;
    this.fleet = fleet;
    this.wakeUps = wakeUps;
  }

  boolean held() {
    return state.held();
  }

  /** Takes or renews the lease; answers whether this activator leads the pass at {@code now}. */
  Mono<Boolean> renew(Instant now, String runtime) {
    return store
        .lease(id, policy.leaseTtl())
        .map(Optional::of)
        .doOnError(e -> log.warn("Cannot reach Redis for the leader lease ({})", e.toString()))
        .onErrorReturn(Optional.empty())
        .map(answer -> apply(answer, now, runtime));
  }

  private boolean apply(Optional<Boolean> answer, Instant now, String runtime) {
    LeaseState.Change change = state.apply(answer, now, policy.leaseTtl());
    switch (change) {
      // Redis unreachable: we may still hold the lease until it would expire; keep the state, act
      // on nothing (no writes would land anyway), give up after the TTL.
      case EXPIRED -> lose("its lease expired while Redis was unreachable");
      case TAKEN, FOLLOWING -> {
        if (change == LeaseState.Change.TAKEN) {
          lose("another activator holds the lease");
        }
        // A follower keeps wake-ups for a short while, in case the leader dies before it handles
        // them (held requests do not send theirs twice); older ones are dropped.
        wakeUps.dropOlderThan(now.minus(policy.staleWakeUp()));
      }
      case GAINED -> {
        log.info("Activator {} leads; adopting what the {} runtime runs", id, runtime);
        wakeUps.dropOlderThan(now.minus(policy.staleWakeUp()));
      }
      default -> {
        // RENEWED, UNREACHABLE: nothing changes
      }
    }
    return change.leads();
  }

  private void lose(String why) {
    log.warn("Activator {} no longer leads ({}); the instances stay for the next leader", id, why);
    fleet.forget();
  }

  /** Gives the lease up in the store (shutdown). */
  Mono<Void> release() {
    return store.release(id);
  }

  /** No longer leads (after shutdown). */
  void drop() {
    state.drop();
  }
}
