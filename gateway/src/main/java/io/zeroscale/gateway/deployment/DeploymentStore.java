package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.store.Sql.bindNullable;
import static io.zeroscale.gateway.store.Sql.odt;

import io.r2dbc.spi.Readable;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.store.Columns;
import io.zeroscale.gateway.store.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.r2dbc.core.RowsFetchSpec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deployments in PostgreSQL. "Live" means {@code deleted_at IS NULL} (a {@code deleting} deployment
 * is still live: it holds its name and its quota until it is finalized). Writes that must be
 * consistent with the tenant's other deployments run after {@link #lockTenant}, in the caller's
 * transaction.
 */
public final class DeploymentStore {

  private static final String SELECT =
      "SELECT d.id, d.tenant_id, t.name AS tenant_name, d.model_id, m.name AS model_library_name,"
          + " m.source AS model_source, m.sha AS model_sha, d.model_name, d.family, d.gpu, d.num_gpus,"
          + " d.max_batch_size, d.min_instances, d.max_instances, d.scale_to_zero_after_s,"
          + " d.activation_timeout_s, d.max_queued_requests, d.target_utilization,"
          + " d.stable_window_s, d.billing_aware_scale_down, d.status, d.reason, d.warning,"
          + " d.version, d.created_at, d.updated_at, d.deleted_at"
          + " FROM deployments d JOIN tenants t ON t.id = d.tenant_id"
          + " JOIN models m ON m.id = d.model_id";

  private static final UUID NONE = new UUID(0, 0);

  private final DatabaseClient db;

  public DeploymentStore(DatabaseClient db) {
    this.db = db;
  }

  /**
   * The tenant's row, locked until the transaction ends ({@code SELECT … FOR UPDATE}): every write
   * of one tenant's deployments queues here, so that two concurrent creates cannot both read the
   * same quota usage and together exceed it. Empty when the tenant does not exist.
   */
  public Mono<LockedTenant> lockTenant(UUID tenantId) {
    return db.sql(
            "SELECT id, name, gpu_quota FROM tenants WHERE id = :id AND deleted_at IS NULL"
                + " FOR UPDATE")
        .bind("id", tenantId)
        .map(Columns::new)
        .one()
        .map(c -> new LockedTenant(c.uuid("id"), c.text("name"), c.integer("gpu_quota")));
  }

  /**
   * A tenant locked for the rest of the transaction.
   *
   * @param gpuQuota Σ max_instances × num_gpus its live deployments may reach
   */
  public record LockedTenant(UUID id, String name, int gpuQuota) {}

  /** Σ max_instances × num_gpus over the tenant's live deployments, except {@code excludeId}. */
  public Mono<Long> usedGpus(UUID tenantId, UUID excludeId) {
    return db.sql(
            "SELECT COALESCE(SUM(max_instances * num_gpus), 0) AS used FROM deployments"
                + " WHERE tenant_id = :tenant AND deleted_at IS NULL AND id <> :exclude")
        .bind("tenant", tenantId)
        .bind("exclude", excludeId == null ? NONE : excludeId)
        .map(row -> ((Number) row.get("used")).longValue())
        .one();
  }

  public Mono<Boolean> nameTaken(UUID tenantId, String modelName) {
    return db.sql(
            "SELECT EXISTS (SELECT 1 FROM deployments WHERE tenant_id = :tenant"
                + " AND model_name = :name AND deleted_at IS NULL) AS taken")
        .bind("tenant", tenantId)
        .bind("name", modelName)
        .map(row -> Boolean.TRUE.equals(row.get("taken", Boolean.class)))
        .one();
  }

  /** Inserts a new deployment (version 1) and reads it back. */
  public Mono<Deployment> insert(
      UUID id,
      UUID tenantId,
      UUID modelId,
      CreateRequest req,
      Family family,
      DeploymentStatus status,
      String warning,
      Instant now) {
    ScalingSettings s = req.settings();
    GenericExecuteSpec spec =
        db.sql(
                "INSERT INTO deployments (id, tenant_id, model_id, model_name, family, gpu,"
                    + " num_gpus, max_batch_size, min_instances, max_instances,"
                    + " scale_to_zero_after_s, activation_timeout_s, max_queued_requests,"
                    + " target_utilization, stable_window_s, billing_aware_scale_down, status,"
                    + " warning, version, created_at, updated_at) VALUES (:id, :tenant, :model,"
                    + " :model_name, :family, :gpu, :num_gpus, :max_batch_size, :min, :max,"
                    + " :to_zero, :activation, :queued, :utilization, :window, :billing,"
                    + " :status, :warning, 1, :now, :now)")
            .bind("id", id)
            .bind("tenant", tenantId)
            .bind("model", modelId)
            .bind("model_name", req.modelName())
            .bind("family", family.wire())
            .bind("gpu", req.gpu())
            .bind("num_gpus", req.numGpus())
            .bind("max_batch_size", req.maxBatchSize())
            .bind("status", status.wire())
            .bind("now", odt(now));
    spec = bindSettings(spec, s);
    spec = bindNullable(spec, "warning", warning, String.class);
    return spec.then().then(findById(id));
  }

  /** A live deployment of the tenant by id, or else by model_name. */
  public Mono<Deployment> findLive(UUID tenantId, String ref) {
    UUID id = Sql.parseUuid(ref);
    String live = "d.tenant_id = :tenant AND d.deleted_at IS NULL";
    Mono<Deployment> byName =
        Mono.defer(
            () ->
                deployments(
                        live + " AND d.model_name = :ref", Map.of("tenant", tenantId, "ref", ref))
                    .one());
    if (id == null) {
      return byName;
    }
    return deployments(live + " AND d.id = :id", Map.of("tenant", tenantId, "id", id))
        .one()
        .switchIfEmpty(byName);
  }

  /** By id whatever its tenant or state (for publication after a write). */
  public Mono<Deployment> findById(UUID id) {
    return deployments("d.id = :id", Map.of("id", id)).one();
  }

  public Flux<Deployment> listLive(UUID tenantId) {
    String live = "d.tenant_id = :tenant AND d.deleted_at IS NULL";
    return deployments(live + " ORDER BY d.created_at, d.model_name", Map.of("tenant", tenantId))
        .all();
  }

  /** Every tenant's live deployments, for the sweeper. */
  public Flux<Deployment> listAllLive() {
    return deployments("d.deleted_at IS NULL ORDER BY d.created_at", Map.of()).all();
  }

  /** The deployments a {@code WHERE} clause (and what follows it) selects. */
  private RowsFetchSpec<Deployment> deployments(String where, Map<String, ?> parameters) {
    return db.sql(SELECT + " WHERE " + where)
        .bindValues(parameters)
        .map(DeploymentStore::deployment);
  }

  /** New settings (and status), version + 1. */
  public Mono<Deployment> updateSettings(
      UUID id, ScalingSettings s, DeploymentStatus status, Instant now) {
    GenericExecuteSpec spec =
        change(
                "min_instances = :min, max_instances = :max,"
                    + " scale_to_zero_after_s = :to_zero, activation_timeout_s = :activation,"
                    + " max_queued_requests = :queued, target_utilization = :utilization,"
                    + " stable_window_s = :window, billing_aware_scale_down = :billing,"
                    + " status = :status",
                "",
                id,
                now)
            .bind("status", status.wire());
    return bindSettings(spec, s).then().then(findById(id));
  }

  /**
   * The activator's status and reason, version + 1, unless the deployment is being deleted or the
   * values are already these; answers the row when it changed, empty otherwise.
   */
  public Mono<Deployment> updateStatus(
      UUID id, DeploymentStatus status, String reason, Instant now) {
    GenericExecuteSpec spec =
        change(
                "status = :status, reason = :reason",
                " AND status NOT IN ('deleting', 'deleted')"
                    + " AND (status <> :status OR reason IS DISTINCT FROM :reason)",
                id,
                now)
            .bind("status", status.wire());
    return changed(bindNullable(spec, "reason", reason, String.class), id);
  }

  /** Status {@code deleting}, version + 1. */
  public Mono<Deployment> markDeleting(UUID id, Instant now) {
    return change("status = 'deleting'", " AND status <> 'deleting'", id, now)
        .then()
        .then(findById(id));
  }

  /**
   * Status {@code deleted} with {@code deleted_at}, version + 1, if it is still {@code deleting};
   * answers the row when this call finalized it, empty otherwise.
   */
  public Mono<Deployment> finalizeDeleted(UUID id, Instant now) {
    return changed(
        change("status = 'deleted', deleted_at = :now", " AND status = 'deleting'", id, now), id);
  }

  /**
   * A change of the live deployment {@code id} at {@code now}: {@code set} (assignments), and with
   * them version + 1 and {@code updated_at}, where {@code and} (more conditions, or nothing) holds
   * too; {@code :id} and {@code :now} bound. Every change goes through here, so that none misses
   * the version its readers compare ({@link io.zeroscale.api.DeploymentSpec#version()}).
   */
  private GenericExecuteSpec change(String set, String and, UUID id, Instant now) {
    return db.sql(
            "UPDATE deployments SET "
                + set
                + ", version = version + 1, updated_at = :now"
                + " WHERE id = :id AND deleted_at IS NULL"
                + and)
        .bind("id", id)
        .bind("now", odt(now));
  }

  /** The row when the update changed it, empty when it changed nothing. */
  private Mono<Deployment> changed(GenericExecuteSpec update, UUID id) {
    return update.fetch().rowsUpdated().flatMap(n -> n == 0 ? Mono.empty() : findById(id));
  }

  /** Ids of every deployment waiting to be finalized. */
  public Flux<UUID> deletingIds() {
    return db.sql("SELECT id FROM deployments WHERE status = 'deleting' AND deleted_at IS NULL")
        .map(row -> row.get("id", UUID.class))
        .all();
  }

  private static GenericExecuteSpec bindSettings(GenericExecuteSpec spec, ScalingSettings s) {
    return spec.bind("min", s.minInstances())
        .bind("max", s.maxInstances())
        .bind("to_zero", s.scaleToZeroAfterS())
        .bind("activation", s.activationTimeoutS())
        .bind("queued", s.maxQueuedRequests())
        // Validated to at most 3 decimals, so this is exact: 0.7 → 0.700.
        .bind(
            "utilization",
            BigDecimal.valueOf(s.targetUtilization()).setScale(3, RoundingMode.HALF_UP))
        .bind("window", s.stableWindowS())
        .bind("billing", s.billingAwareScaleDown());
  }

  static Deployment deployment(Readable row) {
    Columns c = new Columns(row);
    return new Deployment(
        c.uuid("id"),
        c.uuid("tenant_id"),
        c.text("tenant_name"),
        c.uuid("model_id"),
        c.text("model_library_name"),
        c.text("model_source"),
        c.text("model_sha"),
        c.text("model_name"),
        Family.fromWire(c.text("family")).orElseThrow(),
        c.text("gpu"),
        c.integer("num_gpus"),
        c.integer("max_batch_size"),
        new ScalingSettings(
            c.integer("min_instances"),
            c.integer("max_instances"),
            c.integer("scale_to_zero_after_s"),
            c.integer("activation_timeout_s"),
            c.integer("max_queued_requests"),
            row.get("target_utilization", BigDecimal.class).doubleValue(),
            c.integer("stable_window_s"),
            c.flag("billing_aware_scale_down")),
        DeploymentStatus.fromWire(c.text("status")),
        c.text("reason"),
        c.text("warning"),
        c.bigint("version"),
        c.instant("created_at"),
        c.instant("updated_at"),
        c.instant("deleted_at"));
  }
}
