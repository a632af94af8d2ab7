package io.zeroscale.gateway.admin;

import static io.zeroscale.gateway.store.Sql.bindNullable;
import static io.zeroscale.gateway.store.Sql.odt;

import io.r2dbc.spi.Readable;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.auth.R2dbcKeyStore;
import io.zeroscale.gateway.store.Columns;
import io.zeroscale.gateway.store.Sql;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.RowsFetchSpec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Tenants and their keys in PostgreSQL (live rows only, unless a method says otherwise). */
public final class TenantStore {

  private static final String TENANT_COLUMNS =
      "id, name, gpu_quota, spend_limit_micros, requests_per_minute, max_concurrent_requests,"
          + " created_at, updated_at";
  private static final String KEY_COLUMNS =
      "k.id, t.name AS tenant, k.name, k.display_prefix, k.scopes, k.expires_at,"
          + " k.requests_per_minute, k.max_concurrent_requests, k.revoked_at, k.created_at,"
          + " k.previous_secret_valid_until";

  private final DatabaseClient db;

  public TenantStore(DatabaseClient db) {
    this.db = db;
  }

  /** Inserts a tenant; errors with a DataIntegrityViolation when the name is taken. */
  public Mono<Tenant> insert(
      String name, int gpuQuota, Long spendLimitMicros, Principal.Limits limits, Instant now) {
    UUID id = UUID.randomUUID();
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
                "INSERT INTO tenants (id, name, gpu_quota, spend_limit_micros, requests_per_minute,"
                    + " max_concurrent_requests, created_at, updated_at)"
                    + " VALUES (:id, :name, :quota, :limit, :rpm, :concurrent, :now, :now)")
            .bind("id", id)
            .bind("name", name)
            .bind("quota", gpuQuota)
            .bindNull("limit", Long.class)
            .bind("now", odt(now));
    return bindLimits(spec, limits)
        .then()
        .then(spendLimitMicros == null ? Mono.empty() : setLimit(id, spendLimitMicros))
        .then(findById(id));
  }

  private Mono<Void> setLimit(UUID id, long micros) {
    return db.sql("UPDATE tenants SET spend_limit_micros = :limit WHERE id = :id")
        .bind("limit", micros)
        .bind("id", id)
        .then();
  }

  public Flux<Tenant> list() {
    return tenants("deleted_at IS NULL ORDER BY name", Map.of()).all();
  }

  public Mono<Tenant> findById(UUID id) {
    return tenants("id = :id AND deleted_at IS NULL", Map.of("id", id)).one();
  }

  /** By name, or by id when the reference parses as a UUID (SPEC §4: {tenant} is either). */
  public Mono<Tenant> find(String nameOrId) {
    UUID id = Sql.parseUuid(nameOrId);
    if (id != null) {
      return findById(id);
    }
    return tenants("name = :name AND deleted_at IS NULL", Map.of("name", nameOrId)).one();
  }

  /** The tenants a {@code WHERE} clause (and what follows it) selects. */
  private RowsFetchSpec<Tenant> tenants(String where, Map<String, ?> parameters) {
    return db.sql("SELECT " + TENANT_COLUMNS + " FROM tenants WHERE " + where)
        .bindValues(parameters)
        .map(TenantStore::tenant);
  }

  /**
   * Applies a patch; {@code spendLimitMicros} is written only when {@code setLimit}, and each of
   * {@code limits}' fields only when its {@code set*} flag is on (null then resets it to inherit).
   */
  public Mono<Tenant> update(
      UUID id,
      Integer gpuQuota,
      boolean setLimit,
      Long spendLimitMicros,
      boolean setRequestsPerMinute,
      boolean setMaxConcurrent,
      Principal.Limits limits,
      Instant now) {
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
                "UPDATE tenants SET gpu_quota = COALESCE(:quota, gpu_quota), spend_limit_micros ="
                    + " CASE WHEN :set_limit THEN :limit ELSE spend_limit_micros END,"
                    + " requests_per_minute ="
                    + " CASE WHEN :set_rpm THEN :rpm ELSE requests_per_minute END,"
                    + " max_concurrent_requests ="
                    + " CASE WHEN :set_concurrent THEN :concurrent ELSE max_concurrent_requests END,"
                    + " updated_at = :now WHERE id = :id AND deleted_at IS NULL")
            .bind("id", id)
            .bind("set_limit", setLimit)
            .bind("set_rpm", setRequestsPerMinute)
            .bind("set_concurrent", setMaxConcurrent)
            .bind("now", odt(now));
    spec = bindLimits(spec, limits);
    spec = bindNullable(spec, "quota", gpuQuota, Integer.class);
    spec = bindNullable(spec, "limit", spendLimitMicros, Long.class);
    return spec.then().then(findById(id));
  }

  public Mono<Long> liveDeployments(UUID tenantId) {
    return db.sql(
            "SELECT count(*) AS n FROM deployments WHERE tenant_id = :id AND deleted_at IS NULL")
        .bind("id", tenantId)
        .map(row -> row.get("n", Long.class))
        .one();
  }

  /** Soft-deletes the tenant and revokes its keys in one statement each; answers rows touched. */
  public Mono<Long> softDelete(UUID id, Instant now) {
    return db.sql(
            "UPDATE api_keys SET revoked_at = :now WHERE tenant_id = :id AND revoked_at IS NULL")
        .bind("id", id)
        .bind("now", odt(now))
        .then()
        .then(
            db.sql("UPDATE tenants SET deleted_at = :now WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id)
                .bind("now", odt(now))
                .fetch()
                .rowsUpdated());
  }

  public Mono<ApiKeyView> insertKey(
      UUID tenantId,
      String name,
      String secretSha256,
      String displayPrefix,
      List<String> scopes,
      Instant expiresAt,
      Principal.Limits limits,
      Instant now) {
    UUID id = UUID.randomUUID();
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
                "INSERT INTO api_keys (id, tenant_id, name, secret_sha256, display_prefix, scopes,"
                    + " expires_at, requests_per_minute, max_concurrent_requests, created_at)"
                    + " VALUES (:id, :tenant, :name, :hash, :prefix, :scopes, :expires, :rpm,"
                    + " :concurrent, :now)")
            .bind("id", id)
            .bind("name", name)
            .bind("hash", secretSha256)
            .bind("prefix", displayPrefix)
            .bind("scopes", scopes.toArray(String[]::new))
            .bind("now", odt(now));
    spec = bindNullable(spec, "tenant", tenantId, UUID.class);
    spec =
        bindNullable(
            spec, "expires", expiresAt == null ? null : odt(expiresAt), OffsetDateTime.class);
    return bindLimits(spec, limits).then().then(findKey(id));
  }

  public Mono<ApiKeyView> findKey(UUID keyId) {
    return db.sql(
            "SELECT "
                + KEY_COLUMNS
                + " FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id WHERE k.id = :id")
        .bind("id", keyId)
        .map(TenantStore::key)
        .one();
  }

  /** A tenant's keys, or the platform keys when {@code tenantId} is null. */
  public Flux<ApiKeyView> keys(UUID tenantId) {
    String where = tenantId == null ? "k.tenant_id IS NULL" : "k.tenant_id = :tenant";
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
            "SELECT "
                + KEY_COLUMNS
                + " FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id WHERE "
                + where
                + " ORDER BY k.created_at, k.id");
    if (tenantId != null) {
      spec = spec.bind("tenant", tenantId);
    }
    return spec.map(TenantStore::key).all();
  }

  /** A key of this tenant (revoked ones too), or empty when the tenant has no such key. */
  public Mono<ApiKeyView> findTenantKey(UUID tenantId, UUID keyId) {
    return db.sql(
            "SELECT "
                + KEY_COLUMNS
                + " FROM api_keys k JOIN tenants t ON t.id = k.tenant_id"
                + " WHERE k.id = :id AND k.tenant_id = :tenant")
        .bind("id", keyId)
        .bind("tenant", tenantId)
        .map(TenantStore::key)
        .one();
  }

  /**
   * Revokes a key of this tenant (or a platform key when {@code tenantId} is null); answers the
   * hashes of its secrets (the current one, and a rotated-out one still in its grace) so that
   * caches can be told, or empty when there is no such key.
   */
  public Mono<List<String>> revokeKey(UUID tenantId, UUID keyId, Instant now) {
    String owner = tenantId == null ? "tenant_id IS NULL" : "tenant_id = :tenant";
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :now) WHERE id = :id AND "
                    + owner
                    + " RETURNING secret_sha256, previous_secret_sha256")
            .bind("id", keyId)
            .bind("now", odt(now));
    if (tenantId != null) {
      spec = spec.bind("tenant", tenantId);
    }
    return spec.map(TenantStore::hashes).one();
  }

  /**
   * Gives a live key of this tenant a new secret. The secret it had stays valid until {@code
   * graceUntil} (null: not at all); a secret rotated out before, still in its grace, stops at once.
   * Answers the hashes that stopped or changed (the old current one, and the one before it) so that
   * caches can be told, or empty when the tenant has no such live key. The row is locked while it
   * is read, so two rotations at once cannot both keep the same old secret.
   */
  public Mono<List<String>> rotateKey(
      UUID tenantId,
      UUID keyId,
      String secretSha256,
      String displayPrefix,
      Instant graceUntil,
      Instant now) {
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
                "WITH old AS (SELECT id, secret_sha256, previous_secret_sha256 FROM api_keys"
                    + " WHERE id = :id AND tenant_id = :tenant AND revoked_at IS NULL"
                    + " AND (expires_at IS NULL OR expires_at > :now) FOR UPDATE)"
                    + " UPDATE api_keys k SET"
                    + " previous_secret_sha256 = CASE WHEN :keep THEN old.secret_sha256 END,"
                    + " previous_secret_valid_until = :until,"
                    + " secret_sha256 = :hash, display_prefix = :prefix"
                    + " FROM old WHERE k.id = old.id"
                    + " RETURNING old.secret_sha256, old.previous_secret_sha256")
            .bind("id", keyId)
            .bind("tenant", tenantId)
            .bind("now", odt(now))
            .bind("keep", graceUntil != null)
            .bind("hash", secretSha256)
            .bind("prefix", displayPrefix);
    spec =
        bindNullable(
            spec, "until", graceUntil == null ? null : odt(graceUntil), OffsetDateTime.class);
    return spec.map(TenantStore::hashes).one();
  }

  private static List<String> hashes(Readable row) {
    List<String> out = new ArrayList<>(2);
    out.add(row.get("secret_sha256", String.class));
    String previous = row.get("previous_secret_sha256", String.class);
    if (previous != null) {
      out.add(previous);
    }
    return out;
  }

  /** Binds {@code :rpm} and {@code :concurrent}, typed even when null (PostgreSQL needs it). */
  private static DatabaseClient.GenericExecuteSpec bindLimits(
      DatabaseClient.GenericExecuteSpec spec, Principal.Limits limits) {
    spec = bindNullable(spec, "rpm", limits.requestsPerMinute(), Integer.class);
    return bindNullable(spec, "concurrent", limits.maxConcurrentRequests(), Integer.class);
  }

  private static Tenant tenant(Readable row) {
    Columns c = new Columns(row);
    return new Tenant(
        c.uuid("id"),
        c.text("name"),
        c.integer("gpu_quota"),
        c.bigint("spend_limit_micros"),
        R2dbcKeyStore.limits(c),
        c.instant("created_at"),
        c.instant("updated_at"));
  }

  private static ApiKeyView key(Readable row) {
    Columns c = new Columns(row);
    return new ApiKeyView(
        c.uuid("id"),
        c.text("tenant"),
        c.text("name"),
        c.text("display_prefix"),
        Arrays.asList(row.get("scopes", String[].class)),
        c.instant("expires_at"),
        R2dbcKeyStore.limits(c),
        c.instant("revoked_at"),
        c.instant("created_at"),
        c.instant("previous_secret_valid_until"));
  }
}
