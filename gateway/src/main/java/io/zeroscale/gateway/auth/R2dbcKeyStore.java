package io.zeroscale.gateway.auth;

import io.r2dbc.spi.Readable;
import io.zeroscale.gateway.store.Columns;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Keys in PostgreSQL; a deleted tenant's keys count as revoked at its deletion. A key's secret is
 * found by its current hash or, during a rotation's grace, by the previous one. Rate limits are
 * resolved here, key before tenant, so that the request path reads them from the cached key.
 */
public final class R2dbcKeyStore implements KeyStore {

  private final DatabaseClient db;

  public R2dbcKeyStore(DatabaseClient db) {
    this.db = db;
  }

  @Override
  public Mono<StoredKey> findBySecretHash(String secretSha256) {
    return db.sql(
            "SELECT k.id, k.tenant_id, t.name AS tenant_name, k.scopes,"
                + " CASE WHEN k.secret_sha256 = :hash THEN k.secret_sha256"
                + " ELSE k.previous_secret_sha256 END AS secret_sha256,"
                // A rotated-out secret works until its grace ends (LEAST skips a null expiry).
                + " CASE WHEN k.secret_sha256 = :hash THEN k.expires_at"
                + " ELSE LEAST(k.expires_at, k.previous_secret_valid_until) END AS expires_at,"
                + " k.secret_sha256 IS DISTINCT FROM :hash AS via_previous_secret,"
                + " COALESCE(k.revoked_at, t.deleted_at) AS revoked_at,"
                + " COALESCE(k.requests_per_minute, t.requests_per_minute) AS requests_per_minute,"
                + " COALESCE(k.max_concurrent_requests, t.max_concurrent_requests)"
                + " AS max_concurrent_requests"
                + " FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id"
                + " WHERE k.secret_sha256 = :hash OR k.previous_secret_sha256 = :hash")
        .bind("hash", secretSha256)
        .map(R2dbcKeyStore::key)
        .one();
  }

  private static StoredKey key(Readable row) {
    Columns c = new Columns(row);
    return new StoredKey(
        c.uuid("id"),
        c.text("secret_sha256"),
        c.uuid("tenant_id"),
        c.text("tenant_name"),
        Set.of(row.get("scopes", String[].class)),
        c.instant("expires_at"),
        c.instant("revoked_at"),
        limits(c),
        Boolean.TRUE.equals(row.get("via_previous_secret", Boolean.class)));
  }

  /**
   * The rate limits of a row with {@code requests_per_minute} and {@code max_concurrent_requests}.
   */
  public static Principal.Limits limits(Columns c) {
    return new Principal.Limits(
        c.integer("requests_per_minute"), c.integer("max_concurrent_requests"));
  }
}
