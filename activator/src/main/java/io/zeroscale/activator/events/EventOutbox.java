package io.zeroscale.activator.events;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Billing events are never dropped: they queue here and are written in order by {@link #flush()},
 * which the activator calls every tick; a failed write keeps them for the next one (the log's
 * idempotence makes a partial write harmless). If the activator dies with events still queued, the
 * next leader re-emits the transitions it can see (scheduled, ready) under the same ids.
 */
public final class EventOutbox {

  private static final Logger log = LoggerFactory.getLogger(EventOutbox.class);

  private final EventLog sink;
  private final ConcurrentLinkedQueue<LifecycleEvent> queue = new ConcurrentLinkedQueue<>();
  private volatile long lastErrorLog;

  public EventOutbox(EventLog sink) {
    this.sink = sink;
  }

  public void add(LifecycleEvent e) {
    log.info(
        "Instance {} of deployment {}: {}{}",
        e.instanceId(),
        e.deploymentId(),
        e.type().wire(),
        e.detail() == null ? "" : " (" + e.detail() + ")");
    queue.add(e);
  }

  public int pending() {
    return queue.size();
  }

  /** Writes what is queued; never errors (a failure is logged and retried next time). */
  public Mono<Void> flush() {
    List<LifecycleEvent> batch = new ArrayList<>(queue);
    if (batch.isEmpty()) {
      return Mono.empty();
    }
    return sink.append(batch)
        .doOnSuccess(v -> batch.forEach(queue::remove))
        .onErrorResume(
            e -> {
              long now = System.currentTimeMillis();
              if (now - lastErrorLog > 30_000) {
                lastErrorLog = now;
                log.warn(
                    "Could not write {} lifecycle event(s) ({}); kept for the next attempt",
                    batch.size(),
                    e.toString());
              }
              return Mono.empty();
            });
  }
}
