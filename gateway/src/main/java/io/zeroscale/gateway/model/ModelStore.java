package io.zeroscale.gateway.model;

import io.r2dbc.spi.Readable;
import io.zeroscale.api.Family;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
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
          + " hf_token_enc IS NOT NULL AS has_hf_token, created_at, updated_at";

  private final DatabaseClient db;

  public ModelStore(DatabaseClient db) {
    this.db = db;
  }

  /** Inserts a model; errors with a DataIntegrityViolation when the tenant has the name. */
  public Mono<Model> insert(Model m, byte[] sealedToken) {
    GenericExecuteSpec spec =
        db.sql(
                "INSERT INTO models (id, tenant_id, name, source, repo, revision, family, status,"
                    + " error, architecture, model_type, sha, weight_bytes, parameter_count,"
                    + " hf_token_enc, created_at, updated_at) VALUES (:id, :tenant, :name,"
                    + " :source, :repo, :revision, :family, :status, :error, :architecture,"
                    + " :model_type, :sha, :weight_bytes, :parameter_count, :token, :now, :now)")
            .bind("id", m.id())
            .bind("tenant", m.tenantId())
            .bind("name", m.name())
            .bind("source", m.source())
            .bind("repo", m.repo())
            .bind("revision", m.revision())
            .bind("family", m.family().wire())
            .bind("status", m.status().wire())
            .bind("now", odt(m.createdAt()));
    spec = nullable(spec, "error", m.error(), String.class);
    spec = nullable(spec, "architecture", m.architecture(), String.class);
    spec = nullable(spec, "model_type", m.modelType(), String.class);
    spec = nullable(spec, "sha", m.sha(), String.class);
    spec = nullable(spec, "weight_bytes", m.weightBytes(), Long.class);
    spec = nullable(spec, "parameter_count", m.parameterCount(), Long.class);
    spec = nullable(spec, "token", sealedToken, byte[].class);
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
    return db.sql(
            "SELECT "
                + COLUMNS
                + " FROM models WHERE tenant_id = :tenant AND id = :id AND deleted_at IS NULL")
        .bind("tenant", tenantId)
        .bind("id", id)
        .map(ModelStore::model)
        .one();
  }

  public Mono<Model> findByName(UUID tenantId, String name) {
    return db.sql(
            "SELECT "
                + COLUMNS
                + " FROM models WHERE tenant_id = :tenant AND name = :name AND deleted_at IS NULL")
        .bind("tenant", tenantId)
        .bind("name", name)
        .map(ModelStore::model)
        .one();
  }

  /** By id when {@code ref} is one, else (or when no model has that id) by name. */
  public Mono<Model> find(UUID tenantId, String ref) {
    UUID id = parseUuid(ref);
    Mono<Model> byName = Mono.defer(() -> findByName(tenantId, ref));
    return id == null ? byName : findById(tenantId, id).switchIfEmpty(byName);
  }

  public Flux<Model> list(UUID tenantId) {
    return db.sql(
            "SELECT "
                + COLUMNS
                + " FROM models WHERE tenant_id = :tenant AND deleted_at IS NULL ORDER BY created_at, name")
        .bind("tenant", tenantId)
        .map(ModelStore::model)
        .all();
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
    spec = nullable(spec, "error", o.error(), String.class);
    spec = nullable(spec, "sha", o.sha(), String.class);
    spec = nullable(spec, "architecture", o.architecture(), String.class);
    spec = nullable(spec, "model_type", o.modelType(), String.class);
    spec = nullable(spec, "weight_bytes", o.weightBytes(), Long.class);
    spec = nullable(spec, "parameter_count", o.parameterCount(), Long.class);
    return spec.fetch().rowsUpdated();
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
   * token is erased at once.
   */
  public Mono<Long> deleteUnused(UUID tenantId, UUID id, Instant now) {
    return db.sql(
            "UPDATE models m SET deleted_at = :now, hf_token_enc = NULL, updated_at = :now"
                + " WHERE m.tenant_id = :tenant AND m.id = :id AND m.deleted_at IS NULL AND NOT"
                + " EXISTS (SELECT 1 FROM deployments d WHERE d.model_id = m.id AND d.deleted_at"
                + " IS NULL)")
        .bind("tenant", tenantId)
        .bind("id", id)
        .bind("now", odt(now))
        .fetch()
        .rowsUpdated();
  }

  /** The live deployments that use a model, by model_name. */
  public Flux<String> liveDeploymentsUsing(UUID modelId) {
    return db.sql(
            "SELECT model_name FROM deployments WHERE model_id = :id AND deleted_at IS NULL"
                + " ORDER BY model_name")
        .bind("id", modelId)
        .map(row -> row.get("model_name", String.class))
        .all();
  }

  /** The sealed HF token, empty when the model has none. */
  public Mono<byte[]> sealedToken(UUID id) {
    return db.sql("SELECT hf_token_enc FROM models WHERE id = :id AND hf_token_enc IS NOT NULL")
        .bind("id", id)
        .map(row -> row.get("hf_token_enc", byte[].class))
        .one();
  }

  /** Models of every tenant still importing whose last change is before {@code before}. */
  public Flux<Model> importingSince(Instant before) {
    return db.sql(
            "SELECT "
                + COLUMNS
                + " FROM models WHERE status = 'importing' AND updated_at < :before"
                + " AND deleted_at IS NULL")
        .bind("before", odt(before))
        .map(ModelStore::model)
        .all();
  }

  /** A deployable model of the tenant imported from exactly this source, the oldest first. */
  public Mono<Model> findDeployableBySource(UUID tenantId, String source) {
    return db.sql(
            "SELECT "
                + COLUMNS
                + " FROM models WHERE tenant_id = :tenant AND source = :source AND deleted_at IS NULL"
                + " AND status IN ('ready', 'unverified') ORDER BY created_at LIMIT 1")
        .bind("tenant", tenantId)
        .bind("source", source)
        .map(ModelStore::model)
        .one();
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

  static Model model(Readable row) {
    return new Model(
        row.get("id", UUID.class),
        row.get("tenant_id", UUID.class),
        row.get("name", String.class),
        row.get("source", String.class),
        row.get("repo", String.class),
        row.get("revision", String.class),
        Family.fromWire(row.get("family", String.class)).orElseThrow(),
        ModelStatus.fromWire(row.get("status", String.class)),
        row.get("error", String.class),
        row.get("architecture", String.class),
        row.get("model_type", String.class),
        row.get("sha", String.class),
        row.get("weight_bytes", Long.class),
        row.get("parameter_count", Long.class),
        Boolean.TRUE.equals(row.get("has_hf_token", Boolean.class)),
        row.get("created_at", OffsetDateTime.class).toInstant(),
        row.get("updated_at", OffsetDateTime.class).toInstant());
  }

  /** A UUID, or null when {@code s} is not one. */
  public static UUID parseUuid(String s) {
    if (s == null || s.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public static OffsetDateTime odt(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private static <T> GenericExecuteSpec nullable(
      GenericExecuteSpec spec, String name, T value, Class<T> type) {
    return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
  }
}
