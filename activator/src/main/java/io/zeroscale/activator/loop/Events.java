package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.InstanceEvent;
import io.zeroscale.activator.events.LifecycleEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes the lifecycle events of tracked instances: to the outbox (billing's input, never dropped)
 * and to the deployment's tenant-visible event list ({@link InstanceEvent}, best-effort). Both
 * carry the instance's own GPUs (those of the revision it was launched with).
 */
final class Events {

  private static final Logger log = LoggerFactory.getLogger(Events.class);

  /**
   * An event whose id and content are fixed; its time is given when it is added.
   *
   * @param deployment the deployment's full name, for metrics
   */
  record Prepared(LifecycleEvent billing, int revision, String deployment) {}

  private final EventOutbox outbox;
  private final ActivatorStore store;
  private final String runtime;
  private volatile BootTracing tracing = BootTracing.OFF;
  private final ConcurrentLinkedQueue<InstanceEvent> visible = new ConcurrentLinkedQueue<>();
  private volatile ActivatorMetrics metrics = ActivatorMetrics.NONE;

  Events(EventOutbox outbox, ActivatorStore store, String runtime) {
    this.outbox = outbox;
    this.store = store;
    this.runtime = runtime;
  }

  /** Counts every event added from now on. */
  void meter(ActivatorMetrics m) {
    this.metrics = m;
  }

  void traced(BootTracing tracing) {
    this.tracing = tracing;
  }

  void add(Tracked t, LifecycleEvent.Type type, Instant at, String detail) {
    add(of(t, type, detail), at);
    tracing.on(t, type);
  }

  /** The event, its id fixed now (from instance and type), its time given when it is added. */
  Prepared of(Tracked t, LifecycleEvent.Type type, String detail) {
    return new Prepared(
        new LifecycleEvent(
            t.id,
            t.spec.id(),
            t.spec.tenantId(),
            type,
            Instant.EPOCH,
            t.gpu(),
            t.numGpus(),
            runtime,
            detail),
        t.revision,
        t.spec.fullName());
  }

  /** Adds {@code e} as it happened at {@code at} (thread-safe: stops report from elsewhere). */
  void add(Prepared e, Instant at) {
    LifecycleEvent billing = e.billing().withAt(at);
    outbox.add(billing);
    visible.add(InstanceEvent.of(billing, e.revision()));
    metrics.event(billing, e.deployment());
  }

  /**
   * Writes billing's events (kept until written), then the tenant's lists (a failed write is logged
   * and dropped: the list is a display, and a retry of a partial write would show an event twice).
   */
  Mono<Void> flush() {
    return outbox.flush().then(Mono.defer(this::flushVisible));
  }

  private Mono<Void> flushVisible() {
    Map<String, List<InstanceEvent>> byDeployment = new LinkedHashMap<>();
    InstanceEvent e;
    while ((e = visible.poll()) != null) {
      byDeployment.computeIfAbsent(e.deploymentId(), k -> new ArrayList<>()).add(e);
    }
    return Flux.fromIterable(byDeployment.entrySet())
        .flatMap(
            d ->
                store
                    .pushEvents(d.getKey(), d.getValue())
                    .onErrorResume(
                        err -> {
                          log.warn(
                              "Could not add {} instance event(s) to the event list of {}: {}",
                              d.getValue().size(),
                              d.getKey(),
                              err.toString());
                          return Mono.empty();
                        }),
            8)
        .then();
  }
}
