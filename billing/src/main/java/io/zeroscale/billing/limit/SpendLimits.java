package io.zeroscale.billing.limit;

import io.zeroscale.billing.invoice.Invoices;
import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.billing.ledger.LedgerStore;
import io.zeroscale.billing.tenant.BillingTenants;
import io.zeroscale.billing.tenant.TenantRef;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The per-tenant monthly spend limit: first hours reserved before a boot (serialized per tenant),
 * budgets published to gateways and the activator, and deployments scaled to zero once a limit is
 * reached. The rules are {@link SpendLimitRules}; this class reads and writes around them.
 */
public final class SpendLimits {

  private static final Logger log = LoggerFactory.getLogger(SpendLimits.class);

  private final LedgerStore ledger;
  private final ReservationStore reservations;
  private final BillingTenants tenants;
  private final HardwareCatalog catalog;
  private final TransactionalOperator tx;
  private final BudgetBoard board;
  private final Clock clock;
  private final SpendLimitRules.ScaleDowns scaleDowns = new SpendLimitRules.ScaleDowns();

  public SpendLimits(
      LedgerStore ledger,
      ReservationStore reservations,
      BillingTenants tenants,
      HardwareCatalog catalog,
      TransactionalOperator tx,
      BudgetBoard board,
      Clock clock) {
    this.ledger = ledger;
    this.reservations = reservations;
    this.tenants = tenants;
    this.catalog = catalog;
    this.tx = tx;
    this.board = board;
    this.clock = clock;
  }

  /** The tenant's budget for the month of {@code now}, or empty without a limit. */
  public Mono<Budget> budget(TenantRef t, Instant now) {
    if (t.spendLimitMicros() == null) {
      return Mono.empty();
    }
    YearMonth period = Invoices.periodOf(now);
    return Mono.zip(
            ledger
                .entries(t.id(), Invoices.start(period), Invoices.end(period))
                .collectList()
                .map(entries -> SpendLimitRules.spentMicros(entries, period, now)),
            reservations.reservedMicros(t.id(), period))
        .map(z -> new Budget(period, t.spendLimitMicros(), z.getT1(), z.getT2()));
  }

  /**
   * Reserves the first hour of an instance about to boot against its tenant's limit. Serialized per
   * tenant (row lock), idempotent per instance. Refusals are published at once, so gateways answer
   * 402 to the next wake-ups.
   */
  public Mono<Reservation> reserve(
      UUID tenantId, UUID deploymentId, String instanceId, String gpu, int numGpus) {
    Instant now = clock.instant();
    OptionalLong price =
        catalog
            .find(gpu)
            .map(g -> OptionalLong.of(g.microsPerGpuHour()))
            .orElse(OptionalLong.empty());
    long firstHour = SpendLimitRules.firstHourMicros(price, numGpus);
    return tenants
        .lock(tenantId)
        .flatMap(
            t ->
                t.spendLimitMicros() == null
                    ? Mono.just(Reservation.ALLOWED)
                    : reservations
                        .hasReservation(instanceId)
                        .flatMap(
                            has ->
                                has
                                    ? Mono.just(Reservation.ALLOWED)
                                    : reserveWithin(t, instanceId, gpu, numGpus, firstHour, now)))
        .defaultIfEmpty(Reservation.ALLOWED)
        .as(tx::transactional);
  }

  private Mono<Reservation> reserveWithin(
      TenantRef t, String instanceId, String gpu, int numGpus, long firstHour, Instant now) {
    return budget(t, now)
        .flatMap(
            b ->
                switch (SpendLimitRules.decide(b, firstHour, gpu, numGpus)) {
                  case Reservation.Refused r -> publish(t, b, now).thenReturn((Reservation) r);
                  case Reservation.Allowed a ->
                      reservations
                          .reserve(instanceId, t.id(), b.period(), firstHour, now)
                          .thenReturn((Reservation) a);
                });
  }

  /**
   * Publishes every limited tenant's budget; a tenant that reached its limit gets its deployments
   * scaled to zero (once per month, and again if it was lifted and reached again).
   */
  public Mono<Void> enforceLimits() {
    Instant now = clock.instant();
    return tenants
        .withLimits()
        .concatMap(t -> budget(t, now).flatMap(b -> publish(t, b, now)).thenReturn(t.id()))
        .collect(HashSet<UUID>::new, Set::add)
        .flatMap(board::retain);
  }

  /**
   * Publishes one tenant's budget now (its limit just changed); a tenant left without a limit is
   * dropped from the board by the next {@link #enforceLimits} pass.
   */
  public Mono<Void> publishNow(TenantRef t) {
    Instant now = clock.instant();
    return budget(t, now).flatMap(b -> publish(t, b, now));
  }

  private Mono<Void> publish(TenantRef t, Budget b, Instant now) {
    Mono<Void> scale = Mono.empty();
    if (scaleDowns.due(t.id(), b)) {
      log.warn(
          "Tenant {} reached its spend limit of ${} for {}; scaling its deployments to zero",
          t.name(),
          Charges.usd(b.limitMicros()),
          b.period());
      scale =
          tenants
              .liveDeployments(t.id())
              .flatMap(ids -> board.scaleToZero(ids, "spend limit reached", now.toEpochMilli()));
    }
    return board.publish(t.id(), b, now.toEpochMilli()).then(scale);
  }
}
