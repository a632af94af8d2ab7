package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.Heartbeat;
import io.zeroscale.activator.events.HeartbeatLog;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Every {@code heartbeatEvery}, the leader says which instances hold GPUs, so that billing can
 * close them at the last heartbeat if this activator dies without writing their STOPPED.
 */
final class Heartbeats {

  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

  private final Parts parts;
  private final HeartbeatLog sink;
  private volatile Instant last = Instant.MIN;

  Heartbeats(Parts parts, HeartbeatLog sink) {
    this.parts = parts;
    this.sink = sink;
  }

  Mono<Void> beat(boolean leader, Instant now) {
    if (!leader || now.isBefore(last.plus(parts.policy().heartbeatEvery()))) {
      return Mono.empty();
    }
    List<Heartbeat> beats = new ArrayList<>();
    for (Tracked t : parts.fleet().tracked.values()) {
      if (t.scheduledAt != null && t.phase != Phase.PENDING) {
        beats.add(new Heartbeat(t.id, t.spec.id(), t.spec.tenantId(), t.gpu(), t.numGpus(), now));
      }
    }
    if (beats.isEmpty()) {
      return Mono.empty(); // the first instance to hold GPUs gets its heartbeat at once
    }
    last = now;
    return sink.beat(beats)
        .onErrorResume(
            e -> {
              log.warn("Could not write {} heartbeat(s): {}", beats.size(), e.toString());
              last = Instant.MIN;
              return Mono.empty();
            });
  }
}
