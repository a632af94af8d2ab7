package io.zeroscale.billing.limit;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Port: where billing shows tenants' budgets to gateways and the activator (Redis). */
public interface BudgetBoard {

  /** Publishes a tenant's budget for the month (replacing the last one). */
  Mono<Void> publish(UUID tenantId, Budget budget, long nowMillis);

  /** Removes the budgets of tenants not in {@code keep} (limit removed, tenant deleted). */
  Mono<Void> retain(java.util.Set<UUID> keep);

  /** Scales these deployments to zero ({@code zs:desired} 0): their tenant's limit is reached. */
  Mono<Void> scaleToZero(List<UUID> deploymentIds, String reason, long nowMillis);

  /** Cumulative idle-but-paid seconds by deployment id, as the autoscaler writes them. */
  Mono<Map<String, String>> idlePaid();
}
