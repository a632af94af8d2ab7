package io.zeroscale.billing.limit;

import io.zeroscale.activator.core.BudgetPort;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Counts the boots another {@link BudgetPort} refuses (the {@code boot} stage of {@code
 * zeroscale.budget.refused}; the gateway's 402 on a wake-up is the {@code wakeup} stage).
 *
 * @param delegate the port that decides
 * @param refused told of each refusal
 */
public record CountedBudgetPort(BudgetPort delegate, Runnable refused) implements BudgetPort {

  @Override
  public Mono<Answer> reserve(
      String tenantId, String deploymentId, String instanceId, String gpu, int numGpus) {
    return delegate
        .reserve(tenantId, deploymentId, instanceId, gpu, numGpus)
        .doOnNext(
            a -> {
              if (!a.allowed()) {
                refused.run();
              }
            });
  }

  @Override
  public Optional<String> exhausted(String tenantId) {
    return delegate.exhausted(tenantId);
  }
}
