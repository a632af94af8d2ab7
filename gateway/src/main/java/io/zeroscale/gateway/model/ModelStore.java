package io.zeroscale.gateway.model;

import static io.zeroscale.gateway.store.Sql.bindNullable;
import static io.zeroscale.gateway.store.Sql.odt;

import io.r2dbc.spi.Readable;
import io.zeroscale.api.Family;
import io.zeroscale.gateway.store.Columns;
import io.zeroscale.gateway.store.Sql;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.r2dbc.core.RowsFetchSpec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Library models in PostgreSQL ({@code models}). Every read is scoped to a tenant except the
 * sweeper's; a model of another tenant is simply not found. Runs inside the caller's transaction
 * when there is one (the {@link DatabaseClient} joins it through the Reactor context).
 */
public final class ModelStore {

  private static final String COLUMNS =
      "id, tenant_id, name, source, repo, revision, family, status, error, architecture,"
          + " model_type, sha, weight_bytes, parameter_count,"
          + " hf_token_enc IS NOT NULL AS has_hf_token, created_at, updated_at, endpoint,"
          + " s3_credentials_enc IS NOT NULL AS has_s3_credentials";

  private final DatabaseClient db;

  public ModelStore(DatabaseClient db) {
    this.db = db;
  }

  /** Inserts a model; errors with a DataIntegrityViolation when the tenant has the name. */
  public Mono<Model> insert(Model m, byte[] sealedToken) {
    return insert(m, sealedToken, null);
  }

  /**
   * Inserts a model with its sealed HF token and, for an S3 model, its sealed S3 access (either
   * null for none); errors with a DataIntegrityViolation when the tenant has the name.
   */
  public Mono<Model> insert(Model m, byte[] sealedToken, byte[] sealedS3) {
    GenericExecuteSpec spec =
        db.sql(
                "INSERT INTO models (id, tenant_id, name, source, repo, revision, family, status,"
                    + " error, architecture, model_type, sha, weight_bytes, parameter_count,"
                    + " hf_token_enc, created_at, updated_at, endpoint, s3_credentials_enc)"
                    + " VALUES (:id, :tenant, :name, :source, :repo, :revision, :family, :status,"
                    + " :error, :architecture, :model_type, :sha, :weight_bytes,"
                    + " :parameter_count, :token, :now, :now, :endpoint, :s3)")
            .bind("id", m.id())
            .bind("tenant", m.tenantId())
            .bind("name", m.name())
            .bind("source", m.source())
            .bind("repo", m.repo())
            .bind("revision", m.revision())
            .bind("family", m.family().wire())
            .bind("status", m.status().wire())
            .bind("now", odt(m.createdAt()));
    spec = bindNullable(bindOutcome(spec, m.outcome()), "token", sealedToken, byte[].class);
    spec = bindNullable(spec, "endpoint", m.endpoint(), String.class);
    spec = bindNullable(spec, "s3", sealedS3, byte[].class);
    return spec.then().then(findById(m.tenantId(), m.id()));
  }

  /**
   * Locks the tenant's row until the transaction ends ({@code SELECT … FOR UPDATE}), the same lock
   * deployment writes take: imports of one tenant queue here, so that two concurrent ones cannot
   * both count the library before either is stored and together exceed a cap. Empty when the tenant
   * does not exist.
   */
  public Mono<UUID> lockTenant(UUID tenantId) {
    return db.sql("SELECT id FROM tenants WHERE id = :id AND deleted_at IS NULL FOR UPDATE")
        .bind("id", tenantId)
        .map(row -> row.get("id", UUID.class))
        .one();
  }

  /** The tenant's live models, and how many of them are importing. */
  public Mono<ImportLimits.Library> library(UUID tenantId) {
    return db.sql(
            "SELECT count(*) AS models, count(*) FILTER (WHERE status = 'importing') AS importing"
                + " FROM models WHERE tenant_id = :tenant AND deleted_at IS NULL")
        .bind("tenant", tenantId)
        .map(
            row ->
                new ImportLimits.Library(
                    row.get("models", Long.class), row.get("importing", Long.class)))
        .one();
  }

  public Mono<Model> findById(UUID tenantId, UUID id) {
    return findLive(tenantId, "id", id);
  }

  public Mono<Model> findByName(UUID tenantId, String name) {
    return findLive(tenantId, "name", name);
  }

  /** By id when {@code ref} is one, else (or when no model has that id) by name. */
  public Mono<Model> find(UUID tenantId, String ref) {
    UUID id = Sql.parseUuid(ref);
    Mono<Model> byName = Mono.defer(() -> findByName(tenantId, ref));
    return id == null ? byName : findById(tenantId, id).switchIfEmpty(byName);
  }

  public Flux<Model> list(UUID tenantId) {
    String live = "tenant_id = :tenant AND deleted_at IS NULL";
    return models(live + " ORDER BY created_at, name", Map.of("tenant", tenantId)).all();
  }

  /** Records a lookup's outcome if the model still waits for one; answers rows changed (0 or 1). */
  public Mono<Long> complete(UUID id, ImportOutcome o, Instant now) {
    GenericExecuteSpec spec =
        db.sql(
                "UPDATE models SET status = :status, error = :error, sha = :sha, architecture ="
                    + " :architecture, model_type = :model_type, weight_bytes = :weight_bytes,"
                    + " parameter_count = :parameter_count, updated_at = :now"
                    + " WHERE id = :id AND status = 'importing'")
            .bind("id", id)
            .bind("status", o.status().wire())
            .bind("now", odt(now));
    return bindOutcome(spec, o).fetch().rowsUpdated();
  }

  /** Binds what a lookup found or why it failed: the error and the hub's facts, typed nulls. */
  private static GenericExecuteSpec bindOutcome(GenericExecuteSpec spec, ImportOutcome o) {
    spec = bindNullable(spec, "error", o.error(), String.class);
    spec = bindNullable(spec, "sha", o.sha(), String.class);
    spec = bindNullable(spec, "architecture", o.architecture(), String.class);
    spec = bindNullable(spec, "model_type", o.modelType(), String.class);
    spec = bindNullable(spec, "weight_bytes", o.weightBytes(), Long.class);
    return bindNullable(spec, "parameter_count", o.parameterCount(), Long.class);
  }

  /** Renames; errors with a DataIntegrityViolation when the name is taken. */
  public Mono<Model> rename(UUID tenantId, UUID id, String name, Instant now) {
    return db.sql(
            "UPDATE models SET name = :name, updated_at = :now"
                + " WHERE tenant_id = :tenant AND id = :id AND deleted_at IS NULL")
        .bind("name", name)
        .bind("now", odt(now))
        .bind("tenant", tenantId)
        .bind("id", id)
        .then()
        .then(findById(tenantId, id));
  }

  /**
   * Deletes a model that no live deployment uses, in one statement; answers rows deleted. The row
   * stays, marked deleted, because deleted deployments kept for billing still reference it; its HF
   * token is erased at once. A live deployment uses a model when its current revision runs it, or
   * when its {@code active} or {@code rolling_out} revision does (a failed rollout returns to the
   * active one; a rolling one may become it).
   */
  public Mono<Long> deleteUnused(UUID tenantId, UUID id, Instant now) {
    return db.sql(
            "UPDATE models m SET deleted_at = :now, hf_token_enc = NULL, s3_credentials_enc = NULL,"
                + " updated_at = :now"
                + " WHERE m.tenant_id = :tenant AND m.id = :id AND m.deleted_at IS NULL AND NOT"
                + " EXISTS (SELECT 1 FROM deployments d WHERE d.model_id = m.id AND d.deleted_at"
                + " IS NULL) AND NOT EXISTS (SELECT 1 FROM deployment_revisions r JOIN deployments"
                + " d ON d.id = r.deployment_id WHERE r.model_id = m.id AND r.status IN ('active',"
                + " 'rolling_out') AND d.deleted_at IS NULL)")
        .bind("tenant", tenantId)
        .bind("id", id)
        .bind("now", odt(now))
        .fetch()
        .rowsUpdated();
  }

  /**
   * The live deployments that use a model ({@link #deleteUnused}), each as {@code 'model_name'
   * (revision n)}: the current revision's, or an {@code active} or {@code rolling_out} one.
   */
  public Flux<String> liveDeploymentsUsing(UUID modelId) {
    return db.sql(
            "SELECT model_name, revision FROM (SELECT d.model_name, d.revision FROM deployments d"
                + " WHERE d.model_id = :id AND d.deleted_at IS NULL UNION SELECT d.model_name,"
                + " r.revision FROM deployment_revisions r JOIN deployments d ON d.id ="
                + " r.deployment_id WHERE r.model_id = :id AND r.status IN ('active',"
                + " 'rolling_out') AND d.deleted_at IS NULL) u ORDER BY model_name, revision")
        .bind("id", modelId)
        .map(
            row ->
                "'"
                    + row.get("model_name", String.class)
                    + "' (revision "
                    + row.get("revision", Integer.class)
                    + ")")
        .all();
  }

  /** The sealed HF token, empty when the model has none. */
  public Mono<byte[]> sealedToken(UUID id) {
    return db.sql("SELECT hf_token_enc FROM models WHERE id = :id AND hf_token_enc IS NOT NULL")
        .bind("id", id)
        .map(row -> row.get("hf_token_enc", byte[].class))
        .one();
  }

  /** The sealed S3 access, empty when the model has none. */
  public Mono<byte[]> sealedS3(UUID id) {
    return db.sql(
            "SELECT s3_credentials_enc FROM models WHERE id = :id"
                + " AND s3_credentials_enc IS NOT NULL")
        .bind("id", id)
        .map(row -> row.get("s3_credentials_enc", byte[].class))
        .one();
  }

  /** Models of every tenant still importing whose last change is before {@code before}. */
  public Flux<Model> importingSince(Instant before) {
    String stale = "status = 'importing' AND updated_at < :before AND deleted_at IS NULL";
    return models(stale, Map.of("before", odt(before))).all();
  }

  /** A deployable model of the tenant imported from exactly this source, the oldest first. */
  public Mono<Model> findDeployableBySource(UUID tenantId, String source) {
    String where =
        "tenant_id = :tenant AND source = :source AND deleted_at IS NULL"
            + " AND status IN ('ready', 'unverified') ORDER BY created_at LIMIT 1";
    return models(where, Map.of("tenant", tenantId, "source", source)).one();
  }

  /** Which of {@code names} the tenant's library already uses. */
  public Flux<String> takenNames(UUID tenantId, Collection<String> names) {
    return db.sql(
            "SELECT name FROM models WHERE tenant_id = :tenant AND name = ANY(:names)"
                + " AND deleted_at IS NULL")
        .bind("tenant", tenantId)
        .bind("names", names.toArray(String[]::new))
        .map(row -> row.get("name", String.class))
        .all();
  }

  /** A live model of the tenant whose {@code column} (a name from this class) is {@code value}. */
  private Mono<Model> findLive(UUID tenantId, String column, Object value) {
    String where = "tenant_id = :tenant AND " + column + " = :value AND deleted_at IS NULL";
    return models(where, Map.of("tenant", tenantId, "value", value)).one();
  }

  /** The models a {@code WHERE} clause (and what follows it) selects. */
  private RowsFetchSpec<Model> models(String where, Map<String, ?> parameters) {
    return db.sql("SELECT " + COLUMNS + " FROM models WHERE " + where)
        .bindValues(parameters)
        .map(ModelStore::model);
  }

  static Model model(Readable row) {
    Columns c = new Columns(row);
    return new Model(
        c.uuid("id"),
        c.uuid("tenant_id"),
        c.text("name"),
        c.text("source"),
        c.text("repo"),
        c.text("revision"),
        Family.fromWire(c.text("family")).orElseThrow(),
        ModelStatus.fromWire(c.text("status")),
        c.text("error"),
        c.text("architecture"),
        c.text("model_type"),
        c.text("sha"),
        c.bigint("weight_bytes"),
        c.bigint("parameter_count"),
        c.flag("has_hf_token"),
        c.instant("created_at"),
        c.instant("updated_at"),
        c.text("endpoint"),
        c.flag("has_s3_credentials"));
  }
}
