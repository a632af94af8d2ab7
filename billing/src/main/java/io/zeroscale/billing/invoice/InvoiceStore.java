package io.zeroscale.billing.invoice;

import static io.zeroscale.billing.ledger.LedgerStore.odt;

import io.r2dbc.spi.Readable;
import io.zeroscale.billing.ledger.Charge;
import io.zeroscale.billing.tenant.TenantRef;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Closed months and final invoices in PostgreSQL ({@code billing_periods}, {@code invoices}, {@code
 * invoiced_usage}; see {@code V5__billing.sql}).
 */
public final class InvoiceStore {

  /** The columns {@link #stored} reads, of every invoice; a WHERE clause may follow. */
  private static final String SELECT_STORED =
      "SELECT tenant_id, tenant_name, period, number, json_document, csv_document FROM invoices";

  private final DatabaseClient db;

  public InvoiceStore(DatabaseClient db) {
    this.db = db;
  }

  /** What final invoices of the tenant charged for these usage periods. */
  public Flux<Invoice.Charged> invoiced(UUID tenantId, List<YearMonth> periods) {
    if (periods.isEmpty()) {
      return Flux.empty();
    }
    return db.sql(
            "SELECT u.*, d.model_name FROM invoiced_usage u JOIN invoices i ON i.id = u.invoice_id"
                + " JOIN deployments d ON d.id = u.deployment_id"
                + " WHERE i.tenant_id = :tenant AND u.usage_period = ANY(:periods)")
        .bind("tenant", tenantId)
        .bind("periods", periods.stream().map(YearMonth::toString).toArray(String[]::new))
        .map(
            row ->
                new Invoice.Charged(
                    row.get("instance_id", String.class),
                    YearMonth.parse(row.get("usage_period", String.class)),
                    row.get("deployment_id", UUID.class),
                    row.get("model_name", String.class),
                    row.get("gpu", String.class),
                    row.get("micros_per_gpu_hour", Long.class),
                    new Charge(
                        row.get("runtime_gpu_seconds", Long.class),
                        row.get("billed_gpu_seconds", Long.class),
                        row.get("top_up_gpu_seconds", Long.class))))
        .all();
  }

  public Mono<Set<YearMonth>> finalizedPeriods() {
    return db.sql("SELECT period FROM billing_periods")
        .map(row -> YearMonth.parse(row.get("period", String.class)))
        .all()
        .collect(HashSet::new, Set::add);
  }

  /** Marks the period closed; false when it already was (idempotent finalize). */
  public Mono<Boolean> claimPeriod(YearMonth period, Instant now) {
    return db.sql(
            "INSERT INTO billing_periods (period, finalized_at) VALUES (:p, :now)"
                + " ON CONFLICT (period) DO NOTHING")
        .bind("p", period.toString())
        .bind("now", odt(now))
        .fetch()
        .rowsUpdated()
        .map(n -> n > 0);
  }

  /**
   * The invoice sequence for the tenant in the period: 1, unless another tenant of the same name (a
   * deleted one whose name was reused) already holds it.
   */
  public Mono<Integer> seq(YearMonth period, TenantRef tenant) {
    return db.sql(
            "SELECT COALESCE((SELECT seq FROM invoices WHERE tenant_id = :tenant AND period = :p),"
                + " (SELECT COUNT(*) + 1 FROM invoices WHERE period = :p AND tenant_name = :name"
                + " AND tenant_id <> :tenant)) AS seq")
        .bind("tenant", tenant.id())
        .bind("p", period.toString())
        .bind("name", tenant.name())
        .map(row -> ((Number) row.get("seq")).intValue())
        .one();
  }

  /** A final invoice as stored. */
  public record Stored(
      UUID tenantId, String tenantName, YearMonth period, String number, String json, String csv) {}

  public Mono<Void> insertFinal(Invoice inv, int seq, String json, String csv, long totalMicros) {
    UUID id = UUID.randomUUID();
    Mono<Long> invoice =
        db.sql(
                "INSERT INTO invoices (id, tenant_id, tenant_name, period, seq, number,"
                    + " total_micros, json_document, csv_document, finalized_at) VALUES (:id,"
                    + " :tenant, :name, :p, :seq, :number, :total, :json, :csv, :at)")
            .bind("id", id)
            .bind("tenant", inv.tenantId())
            .bind("name", inv.tenantName())
            .bind("p", inv.period().toString())
            .bind("seq", seq)
            .bind("number", inv.number())
            .bind("total", totalMicros)
            .bind("json", json)
            .bind("csv", csv)
            .bind("at", odt(inv.asOf()))
            .fetch()
            .rowsUpdated();
    return invoice
        .thenMany(
            Flux.fromIterable(inv.charged())
                .concatMap(
                    c ->
                        db.sql(
                                "INSERT INTO invoiced_usage (invoice_id, instance_id,"
                                    + " usage_period, deployment_id, gpu, micros_per_gpu_hour,"
                                    + " runtime_gpu_seconds, billed_gpu_seconds,"
                                    + " top_up_gpu_seconds) VALUES (:inv, :instance, :p, :dep,"
                                    + " :gpu, :rate, :run, :billed, :topup)")
                            .bind("inv", id)
                            .bind("instance", c.instanceId())
                            .bind("p", c.usagePeriod().toString())
                            .bind("dep", c.deploymentId())
                            .bind("gpu", c.gpu())
                            .bind("rate", c.microsPerGpuHour())
                            .bind("run", c.charge().runtimeGpuSeconds())
                            .bind("billed", c.charge().billedGpuSeconds())
                            .bind("topup", c.charge().topUpGpuSeconds())
                            .fetch()
                            .rowsUpdated()))
        .then();
  }

  /** Final invoices, by period then tenant name; filters are optional (null). */
  public Flux<Stored> finals(UUID tenantId, YearMonth period) {
    String sql =
        SELECT_STORED
            + " WHERE TRUE"
            + (tenantId == null ? "" : " AND tenant_id = :tenant")
            + (period == null ? "" : " AND period = :p")
            + " ORDER BY period, tenant_name, seq";
    DatabaseClient.GenericExecuteSpec spec = db.sql(sql);
    if (tenantId != null) {
      spec = spec.bind("tenant", tenantId);
    }
    if (period != null) {
      spec = spec.bind("p", period.toString());
    }
    return spec.map(InvoiceStore::stored).all();
  }

  public Mono<Stored> finalByNumber(String number) {
    return db.sql(SELECT_STORED + " WHERE number = :n")
        .bind("n", number)
        .map(InvoiceStore::stored)
        .one();
  }

  private static Stored stored(Readable row) {
    return new Stored(
        row.get("tenant_id", UUID.class),
        row.get("tenant_name", String.class),
        YearMonth.parse(row.get("period", String.class)),
        row.get("number", String.class),
        row.get("json_document", String.class),
        row.get("csv_document", String.class));
  }
}
