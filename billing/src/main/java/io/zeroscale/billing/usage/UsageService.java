package io.zeroscale.billing.usage;

import io.zeroscale.billing.ledger.LedgerStore;
import io.zeroscale.billing.limit.BudgetBoard;
import io.zeroscale.billing.limit.SpendLimitStatus;
import io.zeroscale.billing.limit.SpendLimits;
import io.zeroscale.billing.tenant.BillingTenants;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Reads what a usage report needs (ledger, idle-but-paid seconds, budget) and builds it. */
public final class UsageService {

  private final LedgerStore ledger;
  private final BudgetBoard board;
  private final BillingTenants tenants;
  private final SpendLimits limits;
  private final Clock clock;

  public UsageService(
      LedgerStore ledger,
      BudgetBoard board,
      BillingTenants tenants,
      SpendLimits limits,
      Clock clock) {
    this.ledger = ledger;
    this.board = board;
    this.tenants = tenants;
    this.limits = limits;
    this.clock = clock;
  }

  /** GPU-seconds, billed time and cost per deployment and instance within {@code [from, to)}. */
  public Mono<UsageReport> usage(UUID tenantId, Instant from, Instant to) {
    Instant now = clock.instant();
    Mono<Optional<SpendLimitStatus>> limit =
        tenants
            .tenant(tenantId)
            .flatMap(
                t ->
                    limits
                        .budget(t, now)
                        .map(b -> Optional.of(SpendLimitStatus.of(b, t.alertThresholdPct()))))
            .defaultIfEmpty(Optional.empty());
    return Mono.zip(
            ledger.entries(tenantId, from, to).collectList(),
            board.idlePaid().onErrorReturn(Map.of()),
            limit)
        .map(z -> UsageReport.of(z.getT1(), z.getT2(), z.getT3().orElse(null), from, to, now));
  }
}
