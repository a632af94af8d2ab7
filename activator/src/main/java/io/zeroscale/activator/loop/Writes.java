package io.zeroscale.activator.loop;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The writes one pass collects (endpoints, desired replicas, statuses, stops of strays). They run
 * together after the decisions; a failed one is logged and never fails the pass: the next pass
 * repairs what it left.
 */
final class Writes {

  private static final Logger log = LoggerFactory.getLogger(Writes.class);

  private final List<Mono<Void>> pending = new ArrayList<>();

  void add(Mono<Void> work) {
    pending.add(quiet(work));
  }

  /** Runs every write added so far (and any added before it is subscribed). */
  Mono<Void> run() {
    return Mono.defer(() -> Mono.when(pending));
  }

  static Mono<Void> quiet(Mono<Void> work) {
    return work.onErrorResume(
        e -> {
          log.warn("Activator write failed ({}); the next pass repairs it", e.toString());
          return Mono.empty();
        });
  }
}
