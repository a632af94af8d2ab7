package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.Health;
import java.util.OptionalInt;
import reactor.core.publisher.Mono;

/**
 * Port: asks an instance how it is ({@link HttpHealthProbe} over HTTP). Never errors: a failure is
 * an answer.
 */
public interface HealthProbe {

  /** {@code GET <url>/health}: up (200), down (other status, refused) or slow (timeout). */
  Mono<Health> health(String url);

  /** Requests running plus waiting on the instance, empty when it cannot be read. */
  Mono<OptionalInt> inFlight(String url);
}
