package io.zeroscale.gateway.billing;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The billing tables in PostgreSQL (see {@code V5__billing.sql}). */
public final class BillingStore {

  /**
   * Per instance that is not closed for good: its events, heartbeat and ledger row. Instances whose
   * row was closed by a {@code stopped} event are final and skipped.
   */
  private static final String FACTS =
      """
      SELECT e.instance_id,
             (array_agg(e.tenant_id))[1] AS tenant_id,
             (array_agg(e.deployment_id))[1] AS deployment_id,
             (array_agg(e.gpu))[1] AS gpu,
             max(e.num_gpus) AS num_gpus,
             min(e.occurred_at) FILTER (WHERE e.type = 'scheduled') AS scheduled_at,
             min(e.occurred_at) FILTER (WHERE e.type = 'stopped') AS stopped_at,
             max(h.last_seen_at) AS last_seen_at,
             max(b.micros_per_gpu_hour) AS captured_price,
             max(b.ended_at) AS ended_at,
             max(b.end_source) AS end_source
      FROM instance_events e
      LEFT JOIN billing_instances b ON b.instance_id = e.instance_id
      LEFT JOIN instance_heartbeats h ON h.instance_id = e.instance_id
      WHERE b.end_source IS DISTINCT FROM 'stopped'
      GROUP BY e.instance_id
      HAVING bool_or(e.type = 'scheduled')
      """;

  private static final String UPSERT =
      """
      INSERT INTO billing_instances (instance_id, tenant_id, deployment_id, gpu, num_gpus,
                                     micros_per_gpu_hour, started_at, ended_at, end_source,
                                     created_at, updated_at)
      VALUES (:instanceId, :tenantId, :deploymentId, :gpu, :numGpus, :price, :startedAt,
              :endedAt, :endSource, :now, :now)
      ON CONFLICT (instance_id) DO UPDATE
        SET ended_at = EXCLUDED.ended_at, end_source = EXCLUDED.end_source,
            updated_at = EXCLUDED.updated_at
        WHERE billing_instances.end_source IS DISTINCT FROM 'stopped'
          AND (billing_instances.ended_at IS DISTINCT FROM EXCLUDED.ended_at
               OR billing_instances.end_source IS DISTINCT FROM EXCLUDED.end_source)
      """;

  private final DatabaseClient db;

  public BillingStore(DatabaseClient db) {
    this.db = db;
  }

  /** A fact row, plus what the ledger row holds now (to skip writes that change nothing). */
  public record Pending(LedgerRules.Facts facts, Instant endedAt, String endSource) {}

  public Flux<Pending> pending() {
    return db.sql(FACTS)
        .map(
            row -> {
              Long price = row.get("captured_price", Long.class);
              LedgerRules.Facts f =
                  new LedgerRules.Facts(
                      row.get("instance_id", String.class),
                      row.get("tenant_id", UUID.class),
                      row.get("deployment_id", UUID.class),
                      row.get("gpu", String.class),
                      row.get("num_gpus", Integer.class),
                      instant(row, "scheduled_at"),
                      instant(row, "stopped_at"),
                      instant(row, "last_seen_at"),
                      price == null ? OptionalLong.empty() : OptionalLong.of(price));
              return new Pending(f, instant(row, "ended_at"), row.get("end_source", String.class));
            })
        .all();
  }

  public Mono<Long> upsert(LedgerRules.Row r, Instant now) {
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(UPSERT)
            .bind("instanceId", r.instanceId())
            .bind("tenantId", r.tenantId())
            .bind("deploymentId", r.deploymentId())
            .bind("gpu", r.gpu())
            .bind("numGpus", r.numGpus())
            .bind("price", r.microsPerGpuHour())
            .bind("startedAt", odt(r.startedAt()))
            .bind("now", odt(now));
    spec =
        r.endedAt() == null
            ? spec.bindNull("endedAt", OffsetDateTime.class).bindNull("endSource", String.class)
            : spec.bind("endedAt", odt(r.endedAt())).bind("endSource", r.endSource());
    return spec.fetch().rowsUpdated();
  }

  /** Ledger entries that may be charged within {@code [from, to)}; all tenants when null. */
  public Flux<LedgerEntry> entries(UUID tenantId, Instant from, Instant to) {
    String sql =
        "SELECT b.*, d.model_name FROM billing_instances b JOIN deployments d"
            + " ON d.id = b.deployment_id WHERE b.started_at < :to"
            + " AND (b.ended_at IS NULL OR b.ended_at >= :from)"
            + (tenantId == null ? "" : " AND b.tenant_id = :tenant")
            + " ORDER BY b.started_at, b.instance_id";
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(sql).bind("from", odt(from)).bind("to", odt(to));
    if (tenantId != null) {
      spec = spec.bind("tenant", tenantId);
    }
    return spec.map(BillingStore::entry).all();
  }

  private static LedgerEntry entry(Readable row) {
    return new LedgerEntry(
        row.get("instance_id", String.class),
        row.get("tenant_id", UUID.class),
        row.get("deployment_id", UUID.class),
        row.get("model_name", String.class),
        row.get("gpu", String.class),
        row.get("num_gpus", Integer.class),
        row.get("micros_per_gpu_hour", Long.class),
        instant(row, "started_at"),
        instant(row, "ended_at"));
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

  /** A tenant, deleted or not (invoices outlive tenants). */
  public record TenantRef(UUID id, String name, Long spendLimitMicros) {}

  /** Tenants with a ledger entry that may touch {@code [from, to)}, deleted ones included. */
  public Flux<TenantRef> tenantsWithEntries(Instant from, Instant to) {
    return db.sql(
            "SELECT t.id, t.name, t.spend_limit_micros FROM tenants t WHERE EXISTS (SELECT 1 FROM"
                + " billing_instances b WHERE b.tenant_id = t.id AND b.started_at < :to"
                + " AND (b.ended_at IS NULL OR b.ended_at >= :from)) ORDER BY t.name, t.id")
        .bind("from", odt(from))
        .bind("to", odt(to))
        .map(BillingStore::tenantRef)
        .all();
  }

  public Mono<TenantRef> tenant(UUID id) {
    return db.sql("SELECT id, name, spend_limit_micros FROM tenants WHERE id = :id")
        .bind("id", id)
        .map(BillingStore::tenantRef)
        .one();
  }

  /** By id (deleted or not), else by name (the live tenant, else the last deleted one). */
  public Mono<TenantRef> findTenant(String ref) {
    UUID id;
    try {
      id = UUID.fromString(ref);
    } catch (IllegalArgumentException e) {
      id = null;
    }
    if (id != null) {
      return tenant(id);
    }
    return db.sql(
            "SELECT id, name, spend_limit_micros FROM tenants WHERE name = :name"
                + " ORDER BY deleted_at DESC NULLS FIRST LIMIT 1")
        .bind("name", ref)
        .map(BillingStore::tenantRef)
        .one();
  }

  /** Live tenants with a spend limit. */
  public Flux<TenantRef> tenantsWithLimits() {
    return db.sql(
            "SELECT id, name, spend_limit_micros FROM tenants"
                + " WHERE deleted_at IS NULL AND spend_limit_micros IS NOT NULL")
        .map(BillingStore::tenantRef)
        .all();
  }

  private static TenantRef tenantRef(Readable row) {
    return new TenantRef(
        row.get("id", UUID.class),
        row.get("name", String.class),
        row.get("spend_limit_micros", Long.class));
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
        "SELECT tenant_id, tenant_name, period, number, json_document, csv_document FROM invoices"
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
    return spec.map(BillingStore::stored).all();
  }

  public Mono<Stored> finalByNumber(String number) {
    return db.sql(
            "SELECT tenant_id, tenant_name, period, number, json_document, csv_document FROM"
                + " invoices WHERE number = :n")
        .bind("n", number)
        .map(BillingStore::stored)
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

  // --- spend limits ---

  /** Locks the tenant's row for the transaction, so reservations of one tenant queue up. */
  public Mono<TenantRef> lockTenant(UUID tenantId) {
    return db.sql(
            "SELECT id, name, spend_limit_micros FROM tenants WHERE id = :id AND deleted_at IS"
                + " NULL FOR UPDATE")
        .bind("id", tenantId)
        .map(BillingStore::tenantRef)
        .one();
  }

  /**
   * Micro-dollars reserved for the tenant's instances that the ledger does not charge yet (their
   * first hour is counted here until it is counted there).
   */
  public Mono<Long> reservedMicros(UUID tenantId, YearMonth period) {
    return db.sql(
            "SELECT COALESCE(SUM(r.micros), 0) AS micros FROM budget_reservations r WHERE"
                + " r.tenant_id = :tenant AND r.period = :p AND NOT EXISTS (SELECT 1 FROM"
                + " billing_instances b WHERE b.instance_id = r.instance_id)")
        .bind("tenant", tenantId)
        .bind("p", period.toString())
        .map(row -> ((Number) row.get("micros")).longValue())
        .one();
  }

  public Mono<Boolean> hasReservation(String instanceId) {
    return db.sql("SELECT 1 FROM budget_reservations WHERE instance_id = :id")
        .bind("id", instanceId)
        .map(row -> true)
        .one()
        .defaultIfEmpty(false);
  }

  public Mono<Void> reserve(
      String instanceId, UUID tenantId, YearMonth period, long micros, Instant now) {
    return db.sql(
            "INSERT INTO budget_reservations (instance_id, tenant_id, period, micros, created_at)"
                + " VALUES (:id, :tenant, :p, :micros, :now) ON CONFLICT (instance_id) DO NOTHING")
        .bind("id", instanceId)
        .bind("tenant", tenantId)
        .bind("p", period.toString())
        .bind("micros", micros)
        .bind("now", odt(now))
        .then();
  }

  /**
   * Drops reservations that are settled: the ledger charges the instance, or it stopped without
   * ever holding GPUs, or it is older than {@code before} (a launch that never happened).
   */
  public Mono<Long> releaseSettled(Instant before) {
    Mono<Long> heartbeats =
        db.sql(
                "DELETE FROM instance_heartbeats h WHERE EXISTS (SELECT 1 FROM billing_instances b"
                    + " WHERE b.instance_id = h.instance_id AND b.end_source = 'stopped')")
            .fetch()
            .rowsUpdated();
    return heartbeats.then(releaseReservations(before));
  }

  private Mono<Long> releaseReservations(Instant before) {
    return db.sql(
            "DELETE FROM budget_reservations r WHERE EXISTS (SELECT 1 FROM billing_instances b"
                + " WHERE b.instance_id = r.instance_id) OR EXISTS (SELECT 1 FROM instance_events e"
                + " WHERE e.instance_id = r.instance_id AND e.type = 'stopped') OR r.created_at <"
                + " :before")
        .bind("before", odt(before))
        .fetch()
        .rowsUpdated();
  }

  // --- helpers ---

  private static Instant instant(Readable row, String column) {
    OffsetDateTime t = row.get(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime odt(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
