package io.zeroscale.gateway.auth;

import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Keys in PostgreSQL; a deleted tenant's keys count as revoked at its deletion. Rate limits are
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
            "SELECT k.id, k.secret_sha256, k.tenant_id, t.name AS tenant_name, k.scopes,"
                + " k.expires_at, COALESCE(k.revoked_at, t.deleted_at) AS revoked_at,"
                + " COALESCE(k.requests_per_minute, t.requests_per_minute) AS requests_per_minute,"
                + " COALESCE(k.max_concurrent_requests, t.max_concurrent_requests)"
                + " AS max_concurrent_requests"
                + " FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id"
                + " WHERE k.secret_sha256 = :hash")
        .bind("hash", secretSha256)
        .map(
            row ->
                new StoredKey(
                    row.get("id", UUID.class),
                    row.get("secret_sha256", String.class),
                    row.get("tenant_id", UUID.class),
                    row.get("tenant_name", String.class),
                    Set.of(row.get("scopes", String[].class)),
                    instant(row.get("expires_at", OffsetDateTime.class)),
                    instant(row.get("revoked_at", OffsetDateTime.class)),
                    new Principal.Limits(
                        row.get("requests_per_minute", Integer.class),
                        row.get("max_concurrent_requests", Integer.class))))
        .one();
  }

  private static java.time.Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
