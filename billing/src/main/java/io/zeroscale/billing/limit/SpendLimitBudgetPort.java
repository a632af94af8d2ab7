package io.zeroscale.billing.limit;

import io.zeroscale.activator.core.BudgetPort;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * The activator's {@link BudgetPort} on billing, in-process: a boot's first hour is reserved in
 * PostgreSQL ({@link SpendLimits#reserve}), and reached limits are read from this JVM's in-memory
 * {@link BudgetMirror}. Errors pass through; {@link FailOpenBudgetPort} decides what they mean.
 *
 * @param limits where reservations are made
 * @param budgets this JVM's mirror of the budgets
 */
public record SpendLimitBudgetPort(SpendLimits limits, BudgetMirror budgets) implements BudgetPort {

  @Override
  public Mono<Answer> reserve(
      String tenantId, String deploymentId, String instanceId, String gpu, int numGpus) {
    return limits
        .reserve(UUID.fromString(tenantId), UUID.fromString(deploymentId), instanceId, gpu, numGpus)
        .map(
            r ->
                switch (r) {
                  case Reservation.Allowed a -> Answer.OK;
                  case Reservation.Refused f -> Answer.refused(f.reason());
                });
  }

  @Override
  public Optional<String> exhausted(String tenantId) {
    return budgets.exhausted(tenantId);
  }
}
