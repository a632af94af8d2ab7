package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.lifecycle.BackgroundLoop;
import io.zeroscale.gateway.model.ModelService;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Heals what a crash or a Redis outage can leave behind, at start-up and then every interval:
 *
 * <ol>
 *   <li>the Redis hash of deployment specs is made to match the database (Redis may have restarted
 *       empty: the standalone app does not persist it);
 *   <li>idle {@code deleting} deployments are finalized;
 *   <li>imports left {@code importing} longer than {@code staleImportAge} are looked up again.
 * </ol>
 *
 * Every gateway replica runs it; each step is idempotent, so they need no leader.
 */
public final class DeploymentSweeper extends BackgroundLoop {

  private static final Logger log = LoggerFactory.getLogger(DeploymentSweeper.class);

  private final DeploymentService deployments;
  private final ModelService models;
  private final Duration interval;
  private final Duration staleImportAge;

  public DeploymentSweeper(
      DeploymentService deployments,
      ModelService models,
      Duration interval,
      Duration staleImportAge) {
    this.deployments = deployments;
    this.models = models;
    this.interval = interval;
    this.staleImportAge = staleImportAge;
  }

  /** One sweep; never errors (each step logs its own failure). */
  public Mono<Void> sweep() {
    return step("resync deployments to Redis", deployments.resync())
        .then(step("finalize deleted deployments", deployments.finalizeDeleting()))
        .then(step("resume interrupted imports", models.resumeStaleImports(staleImportAge)));
  }

  private static Mono<Void> step(String what, Mono<?> work) {
    return work.doOnNext(n -> log.debug("{}: {}", what, n))
        .onErrorResume(
            e -> {
              log.warn("Sweep step '{}' failed; it runs again next interval", what, e);
              return Mono.empty();
            })
        .then();
  }

  @Override
  protected Disposable run() {
    return Flux.interval(Duration.ZERO, interval)
        .onBackpressureDrop()
        .concatMap(tick -> sweep(), 0)
        .subscribe();
  }
}
