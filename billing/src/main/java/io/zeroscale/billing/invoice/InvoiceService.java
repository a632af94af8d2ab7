package io.zeroscale.billing.invoice;

import io.zeroscale.billing.ledger.LedgerProjection;
import io.zeroscale.billing.ledger.LedgerStore;
import io.zeroscale.billing.tenant.BillingTenants;
import io.zeroscale.billing.tenant.TenantRef;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.InputBounds;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Invoices as served: drafts computed on demand from the ledger ({@link Invoices#build}), finals
 * stored once when finance closes a month and served byte for byte afterwards.
 */
public final class InvoiceService {

  private static final Logger log = LoggerFactory.getLogger(InvoiceService.class);

  /** How far back a tenant's list of invoices looks for unfinalized months. */
  private static final int DRAFT_MONTHS = 24;

  private final InvoiceStore store;
  private final LedgerStore ledger;
  private final LedgerProjection projection;
  private final BillingTenants tenants;
  private final TransactionalOperator tx;
  private final Clock clock;
  private final InvoiceDocuments docs = new InvoiceDocuments();

  public InvoiceService(
      InvoiceStore store,
      LedgerStore ledger,
      LedgerProjection projection,
      BillingTenants tenants,
      TransactionalOperator tx,
      Clock clock) {
    this.store = store;
    this.ledger = ledger;
    this.projection = projection;
    this.tenants = tenants;
    this.tx = tx;
    this.clock = clock;
  }

  /** An invoice as served: its number, JSON and CSV (header included). */
  public record Doc(String number, String json, String csv) {}

  /** The tenant's invoice for a month: the final one, or the draft; empty if final and none. */
  public Mono<Doc> invoice(TenantRef tenant, YearMonth period) {
    Instant now = clock.instant();
    return store
        .finalizedPeriods()
        .flatMap(
            finalized ->
                finalized.contains(period)
                    ? store.finals(tenant.id(), period).next().map(InvoiceService::doc)
                    : build(tenant, period, "draft", finalized, now).map(this::doc));
  }

  private Mono<Invoice> build(
      TenantRef tenant, YearMonth period, String status, Set<YearMonth> finalized, Instant now) {
    List<YearMonth> adjustable = Invoices.adjustable(period, finalized);
    YearMonth first = adjustable.isEmpty() ? period : adjustable.getLast();
    return Mono.zip(
            ledger.entries(tenant.id(), Invoices.start(first), Invoices.end(period)).collectList(),
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

  private static Doc doc(InvoiceStore.Stored s) {
    return new Doc(s.number(), s.json(), s.csv());
  }

  /**
   * The tenant's invoices: one month's (final or draft), or all finals plus the drafts of every
   * open month with charges (the current month always).
   */
  public Mono<List<Doc>> tenantInvoices(UUID tenantId, YearMonth period) {
    return tenants
        .tenant(tenantId)
        .flatMap(
            t ->
                period != null
                    ? invoice(t, period).map(List::of).defaultIfEmpty(List.of())
                    : store.finalizedPeriods().flatMap(finalized -> allInvoices(t, finalized)));
  }

  private Mono<List<Doc>> allInvoices(TenantRef t, Set<YearMonth> finalized) {
    Instant now = clock.instant();
    YearMonth current = Invoices.periodOf(now);
    List<YearMonth> open = new ArrayList<>();
    for (int i = DRAFT_MONTHS - 1; i >= 0; i--) {
      YearMonth m = current.minusMonths(i);
      if (!finalized.contains(m)) {
        open.add(m);
      }
    }
    Mono<List<Doc>> finals = store.finals(t.id(), null).map(InvoiceService::doc).collectList();
    Mono<List<Doc>> drafts =
        Flux.fromIterable(open)
            .concatMap(m -> build(t, m, "draft", finalized, now))
            .filter(inv -> !inv.lines().isEmpty() || inv.period().equals(current))
            .map(this::doc)
            .collectList();
    return Mono.zip(finals, drafts)
        .map(
            z -> {
              List<Doc> all = new ArrayList<>(z.getT1());
              all.addAll(z.getT2());
              return all;
            });
  }

  /** One of the tenant's invoices by number (another tenant's: 404, like an unknown one). */
  public Mono<Doc> tenantInvoice(UUID tenantId, String number) {
    Invoices.Number n = Invoices.parseNumber(number);
    if (n == null) {
      return Mono.error(notFound(number));
    }
    return tenants
        .tenant(tenantId)
        .flatMap(
            t ->
                store
                    .finalByNumber(number)
                    .filter(s -> s.tenantId().equals(tenantId))
                    .map(InvoiceService::doc)
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
                return store.finals(tenantFilter, period).map(InvoiceService::doc).collectList();
              }
              return tenantsFor(period, finalized, tenantFilter)
                  .concatMap(t -> build(t, period, "draft", finalized, now))
                  .filter(inv -> !inv.lines().isEmpty())
                  .map(this::doc)
                  .collectList();
            });
  }

  private Flux<TenantRef> tenantsFor(
      YearMonth period, Set<YearMonth> finalized, UUID tenantFilter) {
    List<YearMonth> adjustable = Invoices.adjustable(period, finalized);
    YearMonth first = adjustable.isEmpty() ? period : adjustable.getLast();
    return tenants
        .withEntries(Invoices.start(first), Invoices.end(period))
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
            .flatMap(claimed -> claimed ? finalizeAll(period, now) : Mono.<Void>empty())
            .as(tx::transactional);
    // Catch up with the events first, so the month closes on everything that has arrived.
    return projection
        .project()
        .then(close)
        .then(Mono.defer(() -> periodInvoices(period, null)))
        .doOnSuccess(list -> log.info("Period {} is final: {} invoice(s)", period, list.size()));
  }

  private Mono<Void> finalizeAll(YearMonth period, Instant now) {
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
  }

  private Mono<Void> finalizeOne(
      TenantRef t, YearMonth period, Set<YearMonth> before, Instant now) {
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

  /** Concatenates documents into one CSV with a single header. */
  public static String csv(List<Doc> docs) {
    StringBuilder out = new StringBuilder(InvoiceDocuments.header());
    for (Doc d : docs) {
      out.append(d.csv().substring(InvoiceDocuments.header().length()));
    }
    return out.toString();
  }

  /** Concatenates documents into a JSON list, each byte for byte. */
  public static String json(List<Doc> docs) {
    return InvoiceDocuments.jsonList(docs.stream().map(Doc::json).toList());
  }

  /** A tenant by live name, else by id (deleted ones too), for finance's filter. */
  public Mono<UUID> findTenant(String ref) {
    return tenants.find(ref).map(TenantRef::id);
  }

  private static ZeroscaleException notFound(String number) {
    return new ZeroscaleException(
        OpenAiError.of(
            404, "No invoice numbered '" + InputBounds.echo(number) + "'.", null, "not_found"));
  }
}
