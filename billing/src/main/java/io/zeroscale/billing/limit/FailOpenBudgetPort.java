package io.zeroscale.billing.limit;

import io.zeroscale.activator.core.BudgetPort;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The written fail-open rule of the spend limit (ARCHITECTURE §4.8), around another {@link
 * BudgetPort}: when a reservation fails (PostgreSQL unreachable), a tenant with no known limit
 * boots anyway, because cold starts must not depend on billing; a tenant known to have a limit gets
 * the error, so its boot waits and is retried, and the limit holds. "Known" is what this JVM's
 * budget mirror holds: a limit set while billing was down is enforced from the next successful
 * reservation on.
 *
 * @param delegate the port that reserves
 * @param hasKnownLimit whether a tenant (by id) is known to have a spend limit this month
 * @param failedOpen told each time a boot goes ahead unchecked (a metric)
 */
public record FailOpenBudgetPort(
    BudgetPort delegate, Predicate<String> hasKnownLimit, Runnable failedOpen)
    implements BudgetPort {

  /** Counts nothing. */
  public FailOpenBudgetPort(BudgetPort delegate, Predicate<String> hasKnownLimit) {
    this(delegate, hasKnownLimit, () -> {});
  }

  private static final Logger log = LoggerFactory.getLogger(FailOpenBudgetPort.class);

  @Override
  public Mono<Answer> reserve(
      String tenantId, String deploymentId, String instanceId, String gpu, int numGpus) {
    return delegate
        .reserve(tenantId, deploymentId, instanceId, gpu, numGpus)
        .onErrorResume(
            e -> {
              if (hasKnownLimit.test(tenantId)) {
                return Mono.error(e);
              }
              log.debug(
                  "Reservation for instance {} failed ({}); its tenant has no known limit, so it"
                      + " boots",
                  instanceId,
                  e.toString());
              failedOpen.run();
              return Mono.just(Answer.OK);
            });
  }

  @Override
  public Optional<String> exhausted(String tenantId) {
    return delegate.exhausted(tenantId);
  }
}
