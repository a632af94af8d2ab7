package io.zeroscale.activator.events;

import java.util.List;
import reactor.core.publisher.Mono;

/** Port: where heartbeats go; a newer heartbeat of an instance replaces its last one. */
public interface HeartbeatLog {

  /** Writes nothing (tests, installations without billing). */
  HeartbeatLog NONE = beats -> Mono.empty();

  Mono<Void> beat(List<Heartbeat> beats);
}
