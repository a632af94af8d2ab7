package io.zeroscale.billing.tenant;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The control plane's tables as billing reads them ({@code tenants}, {@code deployments}): the only
 * place in billing that queries them, other than the joins for a deployment's name on ledger and
 * invoice rows. Billing never writes them.
 */
public final class BillingTenants {

  private static final String COLUMNS = "SELECT id, name, spend_limit_micros FROM tenants";

  private final DatabaseClient db;

  public BillingTenants(DatabaseClient db) {
    this.db = db;
  }

  public Mono<TenantRef> tenant(UUID id) {
    return db.sql(COLUMNS + " WHERE id = :id").bind("id", id).map(BillingTenants::ref).one();
  }

  /** By id (deleted or not), else by name (the live tenant, else the last deleted one). */
  public Mono<TenantRef> find(String ref) {
    UUID id;
    try {
      id = UUID.fromString(ref);
    } catch (IllegalArgumentException e) {
      id = null;
    }
    if (id != null) {
      return tenant(id);
    }
    return db.sql(COLUMNS + " WHERE name = :name ORDER BY deleted_at DESC NULLS FIRST LIMIT 1")
        .bind("name", ref)
        .map(BillingTenants::ref)
        .one();
  }

  /** Tenants with a ledger entry that may touch {@code [from, to)}, deleted ones included. */
  public Flux<TenantRef> withEntries(Instant from, Instant to) {
    return db.sql(
            COLUMNS
                + " t WHERE EXISTS (SELECT 1 FROM billing_instances b WHERE b.tenant_id = t.id"
                + " AND b.started_at < :to AND (b.ended_at IS NULL OR b.ended_at >= :from))"
                + " ORDER BY t.name, t.id")
        .bind("from", from.atOffset(ZoneOffset.UTC))
        .bind("to", to.atOffset(ZoneOffset.UTC))
        .map(BillingTenants::ref)
        .all();
  }

  /** Live tenants with a spend limit. */
  public Flux<TenantRef> withLimits() {
    return db.sql(COLUMNS + " WHERE deleted_at IS NULL AND spend_limit_micros IS NOT NULL")
        .map(BillingTenants::ref)
        .all();
  }

  /** Locks the live tenant's row for the transaction, so reservations of one tenant queue up. */
  public Mono<TenantRef> lock(UUID tenantId) {
    return db.sql(COLUMNS + " WHERE id = :id AND deleted_at IS NULL FOR UPDATE")
        .bind("id", tenantId)
        .map(BillingTenants::ref)
        .one();
  }

  /** The tenant's deployments that are not deleted: what a reached limit scales to zero. */
  public Mono<List<UUID>> liveDeployments(UUID tenantId) {
    return db.sql("SELECT id FROM deployments WHERE tenant_id = :t AND deleted_at IS NULL")
        .bind("t", tenantId)
        .map(row -> row.get("id", UUID.class))
        .all()
        .collectList();
  }

  private static TenantRef ref(Readable row) {
    return new TenantRef(
        row.get("id", UUID.class),
        row.get("name", String.class),
        row.get("spend_limit_micros", Long.class));
  }
}
