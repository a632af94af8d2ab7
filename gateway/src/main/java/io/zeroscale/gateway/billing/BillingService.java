package io.zeroscale.gateway.billing;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.GpuType;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.web.InputBounds;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Billing's use cases: projecting lifecycle events into the ledger, invoices (drafts computed on
 * demand, finals stored once), usage, and the spend limit (reservations before a boot, enforcement
 * after).
 */
public final class BillingService {

  private static final Logger log = LoggerFactory.getLogger(BillingService.class);

  /** How far back a tenant's list of invoices looks for unfinalized months. */
  private static final int DRAFT_MONTHS = 24;

  /** A reservation whose instance never showed up in the ledger lapses after this. */
  private static final Duration RESERVATION_TTL = Duration.ofHours(1);

  private static final BigDecimal MICRO_HOURS = BigDecimal.valueOf(3600L * 1_000_000L);

  private final BillingStore store;
  private final DatabaseClient db;
  private final HardwareCatalog catalog;
  private final TransactionalOperator tx;
  private final BudgetBoard board;
  private final InvoiceDocuments docs = new InvoiceDocuments();
  private final Clock clock;
  private final Duration heartbeatTimeout;

  /** Tenants whose deployments were scaled to zero for their limit, this month. */
  private final Set<String> scaledDown = ConcurrentHashMap.newKeySet();

  public BillingService(
      BillingStore store,
      DatabaseClient db,
      HardwareCatalog catalog,
      TransactionalOperator tx,
      BudgetBoard board,
      Clock clock,
      Duration heartbeatTimeout) {
    this.store = store;
    this.db = db;
    this.catalog = catalog;
    this.tx = tx;
    this.board = board;
    this.clock = clock;
    this.heartbeatTimeout = heartbeatTimeout;
  }

  // --- ledger ---

  /** One projection pass: events and heartbeats into ledger rows. Answers the rows written. */
  public Mono<Long> project() {
    Instant now = clock.instant();
    return store
        .pending()
        .concatMap(
            p -> {
              var row =
                  LedgerRules.project(p.facts(), price(p.facts().gpu()), now, heartbeatTimeout);
              if (row.isEmpty()) {
                if (p.facts().capturedPrice().isEmpty() && price(p.facts().gpu()).isEmpty()) {
                  log.warn(
                      "Instance {} runs on GPU type {} which the catalog does not price; not"
                          + " billed until it does",
                      p.facts().instanceId(),
                      p.facts().gpu());
                }
                return Mono.just(0L);
              }
              LedgerRules.Row r = row.get();
              boolean same =
                  p.facts().capturedPrice().isPresent()
                      && java.util.Objects.equals(r.endedAt(), p.endedAt())
                      && java.util.Objects.equals(r.endSource(), p.endSource());
              return same ? Mono.just(0L) : store.upsert(r, now);
            })
        .reduce(0L, Long::sum)
        .flatMap(n -> store.releaseSettled(now.minus(RESERVATION_TTL)).thenReturn(n));
  }

  private OptionalLong price(String gpu) {
    return catalog
        .find(gpu)
        .map(g -> OptionalLong.of(g.microsPerGpuHour()))
        .orElse(OptionalLong.empty());
  }

  // --- invoices ---

  /** An invoice as served: its number, JSON and CSV (header included). */
  public record Doc(String number, String json, String csv) {}

  /** The tenant's invoice for a month: the final one, or the draft; empty if final and none. */
  public Mono<Doc> invoice(BillingStore.TenantRef tenant, YearMonth period) {
    Instant now = clock.instant();
    return store
        .finalizedPeriods()
        .flatMap(
            finalized ->
                finalized.contains(period)
                    ? store.finals(tenant.id(), period).next().map(BillingService::doc)
                    : draft(tenant, period, finalized, now).map(this::doc));
  }

  private Mono<Invoice> draft(
      BillingStore.TenantRef tenant, YearMonth period, Set<YearMonth> finalized, Instant now) {
    return build(tenant, period, "draft", finalized, now);
  }

  private Mono<Invoice> build(
      BillingStore.TenantRef tenant,
      YearMonth period,
      String status,
      Set<YearMonth> finalized,
      Instant now) {
    List<YearMonth> adjustable = Invoices.adjustable(period, finalized);
    YearMonth first = adjustable.isEmpty() ? period : adjustable.getLast();
    return Mono.zip(
            store.entries(tenant.id(), Invoices.start(first), Invoices.end(period)).collectList(),
            store.invoiced(tenant.id(), adjustable).collectList(),
            store.seq(period, tenant))
        .map(
            t ->
                Invoices.build(
                    tenant.id(),
                    tenant.name(),
                    period,
                    t.getT3(),
                    status,
                    t.getT1(),
                    t.getT2(),
                    adjustable,
                    now));
  }

  private Doc doc(Invoice inv) {
    return new Doc(inv.number(), docs.json(inv), docs.csv(inv));
  }

  private static Doc doc(BillingStore.Stored s) {
    return new Doc(s.number(), s.json(), s.csv());
  }

  /**
   * The tenant's invoices: one month's (final or draft), or all finals plus the drafts of every
   * open month with charges (the current month always).
   */
  public Mono<List<Doc>> tenantInvoices(UUID tenantId, YearMonth period) {
    return tenant(tenantId)
        .flatMap(
            t -> {
              if (period != null) {
                return invoice(t, period).map(List::of).defaultIfEmpty(List.of());
              }
              Instant now = clock.instant();
              YearMonth current = Invoices.periodOf(now);
              return store
                  .finalizedPeriods()
                  .flatMap(
                      finalized -> {
                        List<YearMonth> open = new ArrayList<>();
                        for (int i = DRAFT_MONTHS - 1; i >= 0; i--) {
                          YearMonth m = current.minusMonths(i);
                          if (!finalized.contains(m)) {
                            open.add(m);
                          }
                        }
                        Mono<List<Doc>> finals =
                            store.finals(tenantId, null).map(BillingService::doc).collectList();
                        Mono<List<Invoice>> drafts =
                            Flux.fromIterable(open)
                                .concatMap(m -> draft(t, m, finalized, now))
                                .filter(
                                    inv -> !inv.lines().isEmpty() || inv.period().equals(current))
                                .collectList();
                        return Mono.zip(finals, drafts)
                            .map(
                                z -> {
                                  List<Doc> all = new ArrayList<>(z.getT1());
                                  z.getT2().forEach(inv -> all.add(doc(inv)));
                                  return all;
                                });
                      });
            });
  }

  /** One of the tenant's invoices by number (another tenant's: 404, like an unknown one). */
  public Mono<Doc> tenantInvoice(UUID tenantId, String number) {
    Invoices.Number n = Invoices.parseNumber(number);
    if (n == null) {
      return Mono.error(notFound(number));
    }
    return tenant(tenantId)
        .flatMap(
            t ->
                store
                    .finalByNumber(number)
                    .filter(s -> s.tenantId().equals(tenantId))
                    .map(BillingService::doc)
                    .switchIfEmpty(
                        Mono.defer(
                            () ->
                                t.name().equals(n.tenantName())
                                    ? invoice(t, n.period()).filter(d -> d.number().equals(number))
                                    : Mono.empty())))
        .switchIfEmpty(Mono.error(notFound(number)));
  }

  /** Every tenant's invoice for the month (finance): finals once closed, else drafts. */
  public Mono<List<Doc>> periodInvoices(YearMonth period, UUID tenantFilter) {
    Instant now = clock.instant();
    return store
        .finalizedPeriods()
        .flatMap(
            finalized -> {
              if (finalized.contains(period)) {
                return store.finals(tenantFilter, period).map(BillingService::doc).collectList();
              }
              return tenantsFor(period, finalized, tenantFilter)
                  .concatMap(t -> draft(t, period, finalized, now))
                  .filter(inv -> !inv.lines().isEmpty())
                  .map(this::doc)
                  .collectList();
            });
  }

  private Flux<BillingStore.TenantRef> tenantsFor(
      YearMonth period, Set<YearMonth> finalized, UUID tenantFilter) {
    List<YearMonth> adjustable = Invoices.adjustable(period, finalized);
    YearMonth first = adjustable.isEmpty() ? period : adjustable.getLast();
    return store
        .tenantsWithEntries(Invoices.start(first), Invoices.end(period))
        .filter(t -> tenantFilter == null || t.id().equals(tenantFilter));
  }

  /**
   * Closes a month: every tenant with charges gets its final invoice, stored as the documents it
   * will always be served as. Idempotent: a closed month answers its invoices unchanged.
   */
  public Mono<List<Doc>> finalizePeriod(YearMonth period) {
    Instant now = clock.instant();
    if (Invoices.end(period).isAfter(now)) {
      return Mono.error(
          new ZeroscaleException(
              OpenAiError.of(
                  422,
                  "The period "
                      + period
                      + " is not over yet (it ends at "
                      + Invoices.end(period)
                      + "); only a past month can be finalized.",
                  "period",
                  "period_open")));
    }
    Mono<Void> close =
        store
            .claimPeriod(period, now)
            .flatMap(
                claimed -> {
                  if (!claimed) {
                    return Mono.<Void>empty();
                  }
                  return store
                      .finalizedPeriods()
                      .flatMapMany(
                          finalized -> {
                            Set<YearMonth> before = new HashSet<>(finalized);
                            before.remove(period);
                            return tenantsFor(period, before, null)
                                .concatMap(t -> finalizeOne(t, period, before, now));
                          })
                      .then();
                })
            .as(tx::transactional);
    // Catch up with the events first, so the month closes on everything that has arrived.
    return project()
        .then(close)
        .then(Mono.defer(() -> periodInvoices(period, null)))
        .doOnSuccess(list -> log.info("Period {} is final: {} invoice(s)", period, list.size()));
  }

  private Mono<Void> finalizeOne(
      BillingStore.TenantRef t, YearMonth period, Set<YearMonth> before, Instant now) {
    return build(t, period, "final", before, now)
        .filter(inv -> !inv.lines().isEmpty())
        .flatMap(
            inv ->
                store
                    .seq(period, t)
                    .flatMap(
                        seq ->
                            store.insertFinal(
                                inv,
                                seq,
                                docs.json(inv),
                                docs.csv(inv),
                                inv.total().movePointRight(6).longValueExact())));
  }

  /** Concatenates documents: a JSON list, or one CSV with a single header. */
  public static String csv(List<Doc> docs) {
    StringBuilder out = new StringBuilder(InvoiceDocuments.header());
    for (Doc d : docs) {
      out.append(d.csv().substring(InvoiceDocuments.header().length()));
    }
    return out.toString();
  }

  public static String json(List<Doc> docs) {
    return InvoiceDocuments.jsonList(docs.stream().map(Doc::json).toList());
  }

  /** A tenant by live name, else by id (deleted ones too), for finance's filter. */
  public Mono<UUID> findTenant(String ref) {
    return store.findTenant(ref).map(BillingStore.TenantRef::id);
  }

  private Mono<BillingStore.TenantRef> tenant(UUID id) {
    return store.tenant(id);
  }

  private static ZeroscaleException notFound(String number) {
    return new ZeroscaleException(
        OpenAiError.of(
            404, "No invoice numbered '" + InputBounds.echo(number) + "'.", null, "not_found"));
  }

  // --- usage ---

  /** GPU-seconds, billed time and cost per deployment and instance within {@code [from, to)}. */
  public Mono<Map<String, Object>> usage(UUID tenantId, Instant from, Instant to) {
    Instant now = clock.instant();
    return Mono.zip(
            store.entries(tenantId, from, to).collectList(),
            board.idlePaid().onErrorReturn(Map.of()),
            tenant(tenantId).flatMap(t -> budgetView(t, now)).defaultIfEmpty(Map.of()))
        .map(z -> usageJson(z.getT1(), z.getT2(), z.getT3(), from, to, now));
  }

  private static Map<String, Object> usageJson(
      List<LedgerEntry> entries,
      Map<String, String> idlePaid,
      Map<String, Object> budget,
      Instant from,
      Instant to,
      Instant now) {
    Map<UUID, Map<String, Object>> deployments = new LinkedHashMap<>();
    Map<UUID, long[]> sums = new LinkedHashMap<>();
    List<Map<String, Object>> instances = new ArrayList<>();
    long totalCost = 0;
    for (LedgerEntry e : entries) {
      Charge c = Charges.in(e, from, to, now);
      if (c.isZero()) {
        continue;
      }
      long cost = Charges.cost(c.billedGpuSeconds(), e.microsPerGpuHour());
      totalCost += cost;
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("instance_id", e.instanceId());
      i.put("deployment_id", e.deploymentId().toString());
      i.put("deployment", e.deploymentName());
      i.put("gpu", e.gpu());
      i.put("num_gpus", e.numGpus());
      i.put("started_at", e.startedAt().toString());
      i.put("ended_at", e.endedAt() == null ? null : e.endedAt().toString());
      i.put("running", e.endedAt() == null);
      putCharge(i, c);
      i.put("rate_usd_per_gpu_hour", Charges.usd(e.microsPerGpuHour()));
      i.put("cost_usd", usd(cost));
      instances.add(i);
      long[] s = sums.computeIfAbsent(e.deploymentId(), k -> new long[5]);
      s[0] += c.runtimeGpuSeconds();
      s[1] += c.billedGpuSeconds();
      s[2] += c.topUpGpuSeconds();
      s[3] += cost;
      s[4]++;
      deployments.computeIfAbsent(
          e.deploymentId(),
          k -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("deployment_id", k.toString());
            d.put("deployment", e.deploymentName());
            d.put("gpu", e.gpu());
            return d;
          });
    }
    List<Map<String, Object>> perDeployment = new ArrayList<>();
    for (var d : deployments.entrySet()) {
      long[] s = sums.get(d.getKey());
      Map<String, Object> m = d.getValue();
      m.put("instances", s[4]);
      putCharge(m, new Charge(s[0], s[1], s[2]));
      m.put("cost_usd", usd(s[3]));
      m.put("idle_paid_seconds", idle(idlePaid.get(d.getKey().toString())));
      perDeployment.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("object", "usage");
    out.put("from", from.toString());
    out.put("to", to.toString());
    out.put("as_of", now.toString());
    out.put("currency", Invoice.CURRENCY);
    out.put("total_cost_usd", usd(totalCost));
    out.put("deployments", perDeployment);
    out.put("instances", instances);
    out.put("spend_limit", budget.isEmpty() ? null : budget);
    return out;
  }

  private static void putCharge(Map<String, Object> m, Charge c) {
    m.put("gpu_seconds", c.runtimeGpuSeconds());
    m.put("billed_gpu_seconds", c.billedGpuSeconds());
    m.put("billed_gpu_hours", Charges.hours(c.billedGpuSeconds()));
    m.put("minimum_top_up_gpu_seconds", c.topUpGpuSeconds());
  }

  private static BigDecimal usd(long cost) {
    return BigDecimal.valueOf(cost).divide(MICRO_HOURS, 2, RoundingMode.HALF_EVEN);
  }

  private static BigDecimal idle(String s) {
    if (s == null) {
      return BigDecimal.ZERO;
    }
    try {
      return new BigDecimal(s.trim());
    } catch (NumberFormatException e) {
      return BigDecimal.ZERO;
    }
  }

  // --- spend limit ---

  /** The tenant's budget for the month of {@code now}, or empty without a limit. */
  public Mono<Budget> budget(BillingStore.TenantRef t, Instant now) {
    if (t.spendLimitMicros() == null) {
      return Mono.empty();
    }
    YearMonth period = Invoices.periodOf(now);
    return Mono.zip(
            store
                .entries(t.id(), Invoices.start(period), Invoices.end(period))
                .map(
                    e ->
                        Charges.cost(
                            Charges.in(e, Invoices.start(period), Invoices.end(period), now)
                                .billedGpuSeconds(),
                            e.microsPerGpuHour()))
                .reduce(0L, Long::sum),
            store.reservedMicros(t.id(), period))
        .map(
            z ->
                new Budget(period, t.spendLimitMicros(), Charges.microsCeil(z.getT1()), z.getT2()));
  }

  private Mono<Map<String, Object>> budgetView(BillingStore.TenantRef t, Instant now) {
    return budget(t, now)
        .map(
            b -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("period", b.period().toString());
              m.put("limit_usd", Charges.usd(b.limitMicros()));
              m.put("spent_usd", Charges.usd(b.spentMicros()));
              m.put("reserved_usd", Charges.usd(b.reservedMicros()));
              m.put("remaining_usd", Charges.usd(Math.max(0, b.remainingMicros())));
              m.put("reached", b.reached());
              m.put(
                  "message",
                  b.reached()
                      ? "The spend limit of $"
                          + Charges.usd(b.limitMicros()).toPlainString()
                          + " for "
                          + b.period()
                          + " has been reached: deployments are scaled to zero and wake-ups are"
                          + " refused (402)."
                      : null);
              return m;
            });
  }

  /** The answer to a reservation before a boot. */
  public sealed interface Reservation {
    /** Boot it: the first hour is reserved (or the tenant has no limit). */
    record Allowed() implements Reservation {}

    /** Do not boot it. */
    record Refused(String reason) implements Reservation {}
  }

  /**
   * Reserves the first hour of an instance about to boot against its tenant's limit. Serialized per
   * tenant (row lock), idempotent per instance. Refusals are published at once, so gateways answer
   * 402 to the next wake-ups.
   */
  public Mono<Reservation> reserve(
      UUID tenantId, UUID deploymentId, String instanceId, String gpu, int numGpus) {
    Instant now = clock.instant();
    GpuType type = catalog.find(gpu).orElse(null);
    long minimum = type == null ? 0 : Math.multiplyExact(type.microsPerGpuHour(), (long) numGpus);
    Mono<Reservation> decide =
        store
            .lockTenant(tenantId)
            .flatMap(
                t -> {
                  if (t.spendLimitMicros() == null) {
                    return Mono.<Reservation>just(new Reservation.Allowed());
                  }
                  return store
                      .hasReservation(instanceId)
                      .flatMap(
                          has ->
                              has
                                  ? Mono.<Reservation>just(new Reservation.Allowed())
                                  : budget(t, now)
                                      .flatMap(
                                          b -> {
                                            if (!b.fits(minimum)) {
                                              return publish(t, b, now)
                                                  .thenReturn(
                                                      new Reservation.Refused(
                                                          "spend limit reached: "
                                                              + b.refusal(
                                                                  "an instance of "
                                                                      + numGpus
                                                                      + " × "
                                                                      + gpu,
                                                                  minimum)));
                                            }
                                            return store
                                                .reserve(
                                                    instanceId, tenantId, b.period(), minimum, now)
                                                .thenReturn(
                                                    (Reservation) new Reservation.Allowed());
                                          }));
                })
            .defaultIfEmpty(new Reservation.Allowed());
    return decide.as(tx::transactional);
  }

  /**
   * Publishes every limited tenant's budget; a tenant that reached its limit gets its deployments
   * scaled to zero (once per month, and again if it was lifted and reached again).
   */
  public Mono<Void> enforceLimits() {
    Instant now = clock.instant();
    return store
        .tenantsWithLimits()
        .concatMap(t -> budget(t, now).flatMap(b -> publish(t, b, now)).thenReturn(t.id()))
        .collect(HashSet<UUID>::new, Set::add)
        .flatMap(board::retain);
  }

  private Mono<Void> publish(BillingStore.TenantRef t, Budget b, Instant now) {
    String key = t.id() + "/" + b.period();
    Mono<Void> scale = Mono.empty();
    if (b.reached() && scaledDown.add(key)) {
      log.warn(
          "Tenant {} reached its spend limit of ${} for {}; scaling its deployments to zero",
          t.name(),
          Charges.usd(b.limitMicros()),
          b.period());
      scale =
          db.sql("SELECT id FROM deployments WHERE tenant_id = :t AND deleted_at IS NULL")
              .bind("t", t.id())
              .map(row -> row.get("id", UUID.class))
              .all()
              .collectList()
              .flatMap(ids -> board.scaleToZero(ids, "spend limit reached", now.toEpochMilli()));
    } else if (!b.reached()) {
      scaledDown.remove(key);
    }
    return board.publish(t.id(), b, now.toEpochMilli()).then(scale);
  }
}
