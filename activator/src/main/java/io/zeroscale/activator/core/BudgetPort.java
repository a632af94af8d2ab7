package io.zeroscale.activator.core;

import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Port: the tenant's spend limit, as billing keeps it. Before an instance boots, its first hour
 * (billed at start) must fit within what is left of the tenant's monthly limit; it is reserved so
 * that two boots cannot both take the last dollars.
 */
public interface BudgetPort {

  /** No limits: everything is allowed (tests, installations without billing). */
  BudgetPort UNLIMITED = (tenant, deployment, instance, gpu, numGpus) -> Mono.just(Answer.OK);

  /**
   * Reserves the first hour of {@code instanceId} (idempotent per instance), or refuses with a
   * reason a person can act on.
   */
  Mono<Answer> reserve(
      String tenantId, String deploymentId, String instanceId, String gpu, int numGpus);

  /**
   * Why the tenant may run nothing at all (its limit is reached), from memory: no I/O, called every
   * pass. Empty when it may run.
   */
  default Optional<String> exhausted(String tenantId) {
    return Optional.empty();
  }

  /** Allowed, or refused with a reason. */
  record Answer(boolean allowed, String reason) {
    public static final Answer OK = new Answer(true, null);

    public static Answer refused(String reason) {
      return new Answer(false, reason);
    }
  }
}
