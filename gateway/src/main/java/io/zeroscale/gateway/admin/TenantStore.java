package io.zeroscale.gateway.admin;

import io.r2dbc.spi.Readable;
import io.zeroscale.gateway.auth.Principal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Tenants and their keys in PostgreSQL (live rows only, unless a method says otherwise). */
public final class TenantStore {

  private static final String TENANT_COLUMNS =
      "id, name, gpu_quota, spend_limit_micros, requests_per_minute, max_concurrent_requests,"
          + " created_at, updated_at";
  private static final String KEY_COLUMNS =
      "k.id, t.name AS tenant, k.name, k.display_prefix, k.scopes, k.expires_at,"
          + " k.requests_per_minute, k.max_concurrent_requests, k.revoked_at, k.created_at";

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
    return db.sql(
            "SELECT " + TENANT_COLUMNS + " FROM tenants WHERE deleted_at IS NULL ORDER BY name")
        .map(TenantStore::tenant)
        .all();
  }

  public Mono<Tenant> findById(UUID id) {
    return db.sql(
            "SELECT " + TENANT_COLUMNS + " FROM tenants WHERE id = :id AND deleted_at IS NULL")
        .bind("id", id)
        .map(TenantStore::tenant)
        .one();
  }

  /** By name, or by id when the reference parses as a UUID (SPEC §4: {tenant} is either). */
  public Mono<Tenant> find(String nameOrId) {
    UUID id = parseUuid(nameOrId);
    if (id != null) {
      return findById(id);
    }
    return db.sql(
            "SELECT " + TENANT_COLUMNS + " FROM tenants WHERE name = :name AND deleted_at IS NULL")
        .bind("name", nameOrId)
        .map(TenantStore::tenant)
        .one();
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
    spec = gpuQuota == null ? spec.bindNull("quota", Integer.class) : spec.bind("quota", gpuQuota);
    spec =
        spendLimitMicros == null
            ? spec.bindNull("limit", Long.class)
            : spec.bind("limit", spendLimitMicros);
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
    spec = tenantId == null ? spec.bindNull("tenant", UUID.class) : spec.bind("tenant", tenantId);
    spec =
        expiresAt == null
            ? spec.bindNull("expires", OffsetDateTime.class)
            : spec.bind("expires", odt(expiresAt));
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

  /**
   * Revokes a key of this tenant (or a platform key when {@code tenantId} is null); answers its
   * secret hash so that caches can be told, or empty when there is no such live key.
   */
  public Mono<String> revokeKey(UUID tenantId, UUID keyId, Instant now) {
    String owner = tenantId == null ? "tenant_id IS NULL" : "tenant_id = :tenant";
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :now) WHERE id = :id AND "
                    + owner
                    + " RETURNING secret_sha256")
            .bind("id", keyId)
            .bind("now", odt(now));
    if (tenantId != null) {
      spec = spec.bind("tenant", tenantId);
    }
    return spec.map(row -> row.get("secret_sha256", String.class)).one();
  }

  /** Binds {@code :rpm} and {@code :concurrent}, typed even when null (PostgreSQL needs it). */
  private static DatabaseClient.GenericExecuteSpec bindLimits(
      DatabaseClient.GenericExecuteSpec spec, Principal.Limits limits) {
    Integer rpm = limits.requestsPerMinute();
    Integer concurrent = limits.maxConcurrentRequests();
    spec = rpm == null ? spec.bindNull("rpm", Integer.class) : spec.bind("rpm", rpm);
    return concurrent == null
        ? spec.bindNull("concurrent", Integer.class)
        : spec.bind("concurrent", concurrent);
  }

  static UUID parseUuid(String s) {
    try {
      return s != null && s.length() == 36 ? UUID.fromString(s) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Tenant tenant(Readable row) {
    return new Tenant(
        row.get("id", UUID.class),
        row.get("name", String.class),
        row.get("gpu_quota", Integer.class),
        row.get("spend_limit_micros", Long.class),
        limits(row),
        row.get("created_at", OffsetDateTime.class).toInstant(),
        row.get("updated_at", OffsetDateTime.class).toInstant());
  }

  private static ApiKeyView key(Readable row) {
    OffsetDateTime expires = row.get("expires_at", OffsetDateTime.class);
    OffsetDateTime revoked = row.get("revoked_at", OffsetDateTime.class);
    return new ApiKeyView(
        row.get("id", UUID.class),
        row.get("tenant", String.class),
        row.get("name", String.class),
        row.get("display_prefix", String.class),
        Arrays.asList(row.get("scopes", String[].class)),
        expires == null ? null : expires.toInstant(),
        limits(row),
        revoked == null ? null : revoked.toInstant(),
        row.get("created_at", OffsetDateTime.class).toInstant());
  }

  private static Principal.Limits limits(Readable row) {
    return new Principal.Limits(
        row.get("requests_per_minute", Integer.class),
        row.get("max_concurrent_requests", Integer.class));
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
