package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.store.Sql.bindNullable;
import static io.zeroscale.gateway.store.Sql.odt;

import io.r2dbc.spi.Readable;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.gateway.store.Columns;
import io.zeroscale.gateway.store.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.r2dbc.core.RowsFetchSpec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

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
          + " d.version, d.created_at, d.updated_at, d.deleted_at, d.revision,"
          + " d.engine::text AS engine_json, d.max_surge, d.surge, d.rollout_reason"
          + " FROM deployments d JOIN tenants t ON t.id = d.tenant_id"
          + " JOIN models m ON m.id = d.model_id";

  private static final UUID NONE = new UUID(0, 0);

  /** Engine options are a JSONB column written and read as {@link EngineOptions#toMap()}. */
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final DatabaseClient db;
  private final int maxRevisions;

  /** A store keeping the default number of revisions per deployment (100). */
  public DeploymentStore(DatabaseClient db) {
    this(db, DeploymentsProperties.DEFAULT_MAX_REVISIONS);
  }

  /**
   * @param maxRevisions revisions kept per deployment ({@code zeroscale.deployments.max-revisions})
   */
  public DeploymentStore(DatabaseClient db, int maxRevisions) {
    if (maxRevisions < DeploymentsProperties.MIN_MAX_REVISIONS) {
      throw new IllegalArgumentException("maxRevisions must be at least 2, got " + maxRevisions);
    }
    this.db = db;
    this.maxRevisions = maxRevisions;
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

  /**
   * Σ max_instances × num_gpus over the tenant's live deployments, except {@code excludeId}; with a
   * rollout open, num_gpus is the larger of the current and the active revision's ({@link
   * DeploymentRules#quotaNumGpus}): both revisions' instances run, and a failure returns to the
   * active one.
   */
  public Mono<Long> usedGpus(UUID tenantId, UUID excludeId) {
    return db.sql(
            "SELECT COALESCE(SUM(d.max_instances * GREATEST(d.num_gpus, COALESCE((SELECT"
                + " MAX(r.num_gpus) FROM deployment_revisions r WHERE r.deployment_id = d.id AND"
                + " r.status = 'active'), 0))), 0) AS used FROM deployments d"
                + " WHERE d.tenant_id = :tenant AND d.deleted_at IS NULL AND d.id <> :exclude")
        .bind("tenant", tenantId)
        .bind("exclude", excludeId == null ? NONE : excludeId)
        .map(row -> ((Number) row.get("used")).longValue())
        .one();
  }

  /** num_gpus of the deployment's {@code active} revision, 0 when none is active. */
  public Mono<Integer> activeNumGpus(UUID deploymentId) {
    return db.sql(
            "SELECT COALESCE(MAX(num_gpus), 0) AS n FROM deployment_revisions"
                + " WHERE deployment_id = :id AND status = 'active'")
        .bind("id", deploymentId)
        .map(row -> ((Number) row.get("n")).intValue())
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

  /**
   * Inserts a new deployment (version 1, revision 1) with its revision 1 ({@code active}: there is
   * nothing to roll out from) and reads it back.
   *
   * @param content the model, hardware and engine options of revision 1
   * @param surge max_surge lowered to the quota ({@link DeploymentRules#surge})
   */
  public Mono<Deployment> insert(
      UUID id,
      UUID tenantId,
      RevisionContent content,
      CreateRequest req,
      Family family,
      DeploymentStatus status,
      String warning,
      int surge,
      Instant now) {
    ScalingSettings s = req.settings();
    UUID modelId = content.modelId();
    GenericExecuteSpec spec =
        db.sql(
                "INSERT INTO deployments (id, tenant_id, model_id, model_name, family, gpu,"
                    + " num_gpus, max_batch_size, min_instances, max_instances,"
                    + " scale_to_zero_after_s, activation_timeout_s, max_queued_requests,"
                    + " target_utilization, stable_window_s, billing_aware_scale_down, status,"
                    + " warning, version, created_at, updated_at, revision, engine, max_surge,"
                    + " surge) VALUES (:id, :tenant, :model,"
                    + " :model_name, :family, :gpu, :num_gpus, :max_batch_size, :min, :max,"
                    + " :to_zero, :activation, :queued, :utilization, :window, :billing,"
                    + " :status, :warning, 1, :now, :now, 1, CAST(:engine AS jsonb), :max_surge,"
                    + " :surge)")
            .bind("id", id)
            .bind("tenant", tenantId)
            .bind("model", modelId)
            .bind("model_name", req.modelName())
            .bind("family", family.wire())
            .bind("gpu", content.gpu())
            .bind("num_gpus", content.numGpus())
            .bind("max_batch_size", content.maxBatchSize())
            .bind("engine", engineJson(content.engine()))
            .bind("surge", surge)
            .bind("status", status.wire())
            .bind("now", odt(now));
    spec = bindSettings(spec, s);
    spec = bindNullable(spec, "warning", warning, String.class);
    return spec.then()
        .then(insertRevision(id, 1, content, List.of(), RevisionStatus.ACTIVE, now))
        .then(findById(id));
  }

  /** Adds a revision to a deployment's history. */
  private Mono<Void> insertRevision(
      UUID deploymentId,
      int revision,
      RevisionContent content,
      List<String> changed,
      RevisionStatus status,
      Instant now) {
    return db.sql(
            "INSERT INTO deployment_revisions (deployment_id, revision, model_id, source, gpu,"
                + " num_gpus, max_batch_size, engine, changed, status, created_at) VALUES"
                + " (:deployment, :revision, :model, :source, :gpu, :num_gpus, :max_batch_size,"
                + " CAST(:engine AS jsonb), string_to_array(:changed, ','), :status, :now)")
        .bind("deployment", deploymentId)
        .bind("revision", revision)
        .bind("model", content.modelId())
        .bind("source", content.source())
        .bind("gpu", content.gpu())
        .bind("num_gpus", content.numGpus())
        .bind("max_batch_size", content.maxBatchSize())
        .bind("engine", engineJson(content.engine()))
        .bind("changed", String.join(",", changed))
        .bind("status", status.wire())
        .bind("now", odt(now))
        .then();
  }

  /** A deployment's revisions, newest first: at most {@code max-revisions} of them. */
  public Flux<DeploymentRevision> revisions(UUID deploymentId) {
    return revisionRows(deploymentId, "r.deployment_id = :id");
  }

  /**
   * The revisions the decisions of {@link Revisions} need, newest first, whatever the length of the
   * history: the newest, the {@code active} and {@code rolling_out} ones, and the newest {@code
   * active} or {@code superseded} one below the newest (the rollback target). A handful of rows.
   */
  public Flux<DeploymentRevision> decisive(UUID deploymentId) {
    String newest = "(SELECT MAX(revision) FROM deployment_revisions WHERE deployment_id = :id)";
    return revisionRows(
        deploymentId,
        "r.deployment_id = :id AND (r.status IN ('active', 'rolling_out')"
            + " OR r.revision = "
            + newest
            + " OR r.revision = (SELECT MAX(revision) FROM deployment_revisions"
            + " WHERE deployment_id = :id AND status IN ('active', 'superseded')"
            + " AND revision < "
            + newest
            + "))");
  }

  /**
   * The revisions of {@code deploymentId} that {@code where} selects ({@code :id} is the
   * deployment), newest first, at most {@code max-revisions}.
   */
  private Flux<DeploymentRevision> revisionRows(UUID deploymentId, String where) {
    return db.sql(RevisionRows.SELECT + " WHERE " + where + " ORDER BY r.revision DESC LIMIT :max")
        .bind("id", deploymentId)
        .bind("max", maxRevisions)
        .map(RevisionRows::revision)
        .all();
  }

  /** The highest revision number the deployment has had (0 with none). */
  public Mono<Integer> newestRevision(UUID deploymentId) {
    return db.sql(
            "SELECT COALESCE(MAX(revision), 0) AS n FROM deployment_revisions"
                + " WHERE deployment_id = :id")
        .bind("id", deploymentId)
        .map(row -> ((Number) row.get("n")).intValue())
        .one();
  }

  /**
   * Deletes the oldest {@code superseded} and {@code failed} revisions past {@code max-revisions}
   * (never the active or rolling-out one, nor the newest); answers how many.
   */
  private Mono<Long> prune(UUID deploymentId) {
    return db.sql(
            "DELETE FROM deployment_revisions WHERE deployment_id = :id AND revision IN"
                + " (SELECT revision FROM deployment_revisions WHERE deployment_id = :id"
                + " AND status IN ('superseded', 'failed') AND revision < (SELECT MAX(revision)"
                + " FROM deployment_revisions WHERE deployment_id = :id) ORDER BY revision"
                + " LIMIT GREATEST(0, (SELECT COUNT(*) FROM deployment_revisions"
                + " WHERE deployment_id = :id) - :max))")
        .bind("id", deploymentId)
        .bind("max", maxRevisions)
        .fetch()
        .rowsUpdated();
  }

  /**
   * A new revision, {@code rolling_out}, becomes the deployment's: its content and number on the
   * row, {@code surge} re-checked, the {@code warning} of its model, the automatic rollback's
   * reason cleared, version + 1. A revision that was still rolling out is {@code superseded} (the
   * activator now rolls out this one); the active one stays active until this one has rolled out.
   * Past {@code max-revisions}, the oldest superseded and failed revisions are deleted.
   */
  public Mono<Deployment> newRevision(
      UUID id,
      int revision,
      RevisionContent content,
      List<String> changed,
      int surge,
      String warning,
      Instant now) {
    return db.sql(
            "UPDATE deployment_revisions SET status = 'superseded'"
                + " WHERE deployment_id = :id AND status = 'rolling_out'")
        .bind("id", id)
        .then()
        .then(insertRevision(id, revision, content, changed, RevisionStatus.ROLLING_OUT, now))
        .then(prune(id))
        .then(setContent(id, revision, content, surge, warning, null, now));
  }

  /**
   * The deployment goes back to an earlier revision's content and number (automatic rollback), with
   * {@code note} as its rollout reason and the {@code warning} of its model, version + 1; no
   * revision is added. With {@code lowered}, its min and max instances become those (the restored
   * content would not fit the quota otherwise, {@link DeploymentRules#withinQuota}).
   *
   * @param lowered the settings with instances lowered to the quota, or null to keep them
   */
  public Mono<Deployment> restore(
      UUID id,
      int revision,
      RevisionContent content,
      ScalingSettings lowered,
      int surge,
      String warning,
      String note,
      Instant now) {
    Mono<Void> instances =
        lowered == null
            ? Mono.empty()
            : db.sql(
                    "UPDATE deployments SET min_instances = :min, max_instances = :max"
                        + " WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id)
                .bind("min", lowered.minInstances())
                .bind("max", lowered.maxInstances())
                .then();
    return instances.then(setContent(id, revision, content, surge, warning, note, now));
  }

  /**
   * Only the rollout reason changes (an automatic rollback that could not restore the active
   * revision says why), version + 1.
   */
  public Mono<Deployment> rolloutReason(UUID id, String note, Instant now) {
    return change("rollout_reason = :note", "", id, now)
        .bind("note", note)
        .then()
        .then(findById(id));
  }

  private Mono<Deployment> setContent(
      UUID id,
      int revision,
      RevisionContent content,
      int surge,
      String warning,
      String note,
      Instant now) {
    GenericExecuteSpec spec =
        change(
                "model_id = :model, gpu = :gpu, num_gpus = :num_gpus,"
                    + " max_batch_size = :max_batch_size, engine = CAST(:engine AS jsonb),"
                    + " revision = :revision, surge = LEAST(:surge, max_surge),"
                    + " warning = :warning, rollout_reason = :note",
                "",
                id,
                now)
            .bind("model", content.modelId())
            .bind("gpu", content.gpu())
            .bind("num_gpus", content.numGpus())
            .bind("max_batch_size", content.maxBatchSize())
            .bind("engine", engineJson(content.engine()))
            .bind("revision", revision)
            .bind("surge", surge);
    spec = bindNullable(spec, "warning", warning, String.class);
    return bindNullable(spec, "note", note, String.class).then().then(findById(id));
  }

  /**
   * Revision {@code revision} rolled out: {@code active}, and the one active before it {@code
   * superseded}; only from {@code rolling_out}. Answers whether it changed anything.
   */
  public Mono<Boolean> activate(UUID id, int revision) {
    return db.sql(
            "UPDATE deployment_revisions SET status = 'active'"
                + " WHERE deployment_id = :id AND revision = :revision AND status = 'rolling_out'")
        .bind("id", id)
        .bind("revision", revision)
        .fetch()
        .rowsUpdated()
        .flatMap(
            n ->
                n == 0
                    ? Mono.just(false)
                    : db.sql(
                            "UPDATE deployment_revisions SET status = 'superseded'"
                                + " WHERE deployment_id = :id AND status = 'active'"
                                + " AND revision <> :revision")
                        .bind("id", id)
                        .bind("revision", revision)
                        .then()
                        .thenReturn(true));
  }

  /** Revision {@code revision} failed with {@code reason}; only from {@code rolling_out}. */
  public Mono<Boolean> fail(UUID id, int revision, String reason) {
    return db.sql(
            "UPDATE deployment_revisions SET status = 'failed', reason = :reason"
                + " WHERE deployment_id = :id AND revision = :revision AND status = 'rolling_out'")
        .bind("id", id)
        .bind("revision", revision)
        .bind("reason", reason)
        .fetch()
        .rowsUpdated()
        .map(n -> n > 0);
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

  /** New settings (and status, and surge re-checked against the quota), version + 1. */
  public Mono<Deployment> updateSettings(
      UUID id, ScalingSettings s, DeploymentStatus status, int surge, Instant now) {
    GenericExecuteSpec spec =
        change(
                "min_instances = :min, max_instances = :max,"
                    + " scale_to_zero_after_s = :to_zero, activation_timeout_s = :activation,"
                    + " max_queued_requests = :queued, target_utilization = :utilization,"
                    + " stable_window_s = :window, billing_aware_scale_down = :billing,"
                    + " max_surge = :max_surge, surge = :surge, status = :status",
                "",
                id,
                now)
            .bind("surge", surge)
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
        .bind("billing", s.billingAwareScaleDown())
        .bind("max_surge", s.maxSurge());
  }

  private static String engineJson(EngineOptions engine) {
    return JSON.writeValueAsString(engine.toMap());
  }

  static EngineOptions engine(String json) {
    return json == null
        ? EngineOptions.NONE
        : EngineRules.normalized(DeploymentSpecJson.engine(JSON.readTree(json)));
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
            c.flag("billing_aware_scale_down"),
            c.integer("max_surge")),
        DeploymentStatus.fromWire(c.text("status")),
        c.text("reason"),
        c.text("warning"),
        c.bigint("version"),
        c.instant("created_at"),
        c.instant("updated_at"),
        c.instant("deleted_at"),
        c.integer("revision"),
        engine(c.text("engine_json")),
        c.integer("surge"),
        c.text("rollout_reason"));
  }
}
