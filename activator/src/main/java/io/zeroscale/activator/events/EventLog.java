package io.zeroscale.activator.events;

import java.util.List;
import reactor.core.publisher.Mono;

/** Port: where lifecycle events go. Appending an event id that is already there is a no-op. */
public interface EventLog {

  Mono<Void> append(List<LifecycleEvent> events);
}
