package io.zeroscale.billing.ledger;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ledger in PostgreSQL ({@code billing_instances}) and its input ({@code instance_events},
 * {@code instance_heartbeats}; see {@code V4__instance_events.sql} and {@code V5__billing.sql}).
 */
public final class LedgerStore {

  /**
   * Per instance that is not closed for good: its events, heartbeat and ledger row. Instances whose
   * row was closed by a {@code stopped} event are final and skipped. The GPU type and count are
   * those of its {@code scheduled} event, written by the activator that launched it: a leader that
   * adopts an instance of an older revision mid-rollout knows only the deployment's new hardware,
   * so its later events of that instance may name the wrong GPU.
   */
  private static final String FACTS =
      """
      SELECT e.instance_id,
             (array_agg(e.tenant_id))[1] AS tenant_id,
             (array_agg(e.deployment_id))[1] AS deployment_id,
             (array_agg(e.gpu ORDER BY e.type = 'scheduled' DESC, e.occurred_at))[1] AS gpu,
             (array_agg(e.num_gpus ORDER BY e.type = 'scheduled' DESC, e.occurred_at))[1]
               AS num_gpus,
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

  public LedgerStore(DatabaseClient db) {
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
    return spec.map(LedgerStore::entry).all();
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

  /** A nullable {@code TIMESTAMPTZ} column as an instant. */
  public static Instant instant(Readable row, String column) {
    OffsetDateTime t = row.get(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  public static OffsetDateTime odt(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
