package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.LifecycleEvent;
import java.time.Instant;
import reactor.core.publisher.Mono;

/** Writes the lifecycle events of tracked instances to the outbox (billing's input). */
final class Events {

  private final EventOutbox outbox;
  private final String runtime;

  Events(EventOutbox outbox, String runtime) {
    this.outbox = outbox;
    this.runtime = runtime;
  }

  void add(Tracked t, LifecycleEvent.Type type, Instant at, String detail) {
    add(of(t, type, detail), at);
  }

  /** The event, its id fixed now (from instance and type), its time given when it is added. */
  LifecycleEvent of(Tracked t, LifecycleEvent.Type type, String detail) {
    return new LifecycleEvent(
        t.id,
        t.spec.id(),
        t.spec.tenantId(),
        type,
        Instant.EPOCH,
        t.spec.gpu(),
        t.spec.numGpus(),
        runtime,
        detail);
  }

  /** Adds {@code e} as it happened at {@code at} (thread-safe: stops report from elsewhere). */
  void add(LifecycleEvent e, Instant at) {
    outbox.add(e.withAt(at));
  }

  Mono<Void> flush() {
    return outbox.flush();
  }
}
