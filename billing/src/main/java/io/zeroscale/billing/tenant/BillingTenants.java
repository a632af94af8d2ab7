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

  /**
   * A tenant's row with its own billing settings (V6): {@code t} is the tenant, {@code s} its
   * settings, if it has any.
   */
  private static final String COLUMNS =
      "SELECT t.id, t.name, t.spend_limit_micros, s.spend_limit_micros AS own_limit_micros,"
          + " s.alert_threshold_pct FROM tenants t"
          + " LEFT JOIN tenant_billing_settings s ON s.tenant_id = t.id";

  private final DatabaseClient db;

  public BillingTenants(DatabaseClient db) {
    this.db = db;
  }

  public Mono<TenantRef> tenant(UUID id) {
    return db.sql(COLUMNS + " WHERE t.id = :id").bind("id", id).map(BillingTenants::ref).one();
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
    return db.sql(COLUMNS + " WHERE t.name = :name ORDER BY t.deleted_at DESC NULLS FIRST LIMIT 1")
        .bind("name", ref)
        .map(BillingTenants::ref)
        .one();
  }

  /** Tenants with a ledger entry that may touch {@code [from, to)}, deleted ones included. */
  public Flux<TenantRef> withEntries(Instant from, Instant to) {
    return db.sql(
            COLUMNS
                + " WHERE EXISTS (SELECT 1 FROM billing_instances b WHERE b.tenant_id = t.id"
                + " AND b.started_at < :to AND (b.ended_at IS NULL OR b.ended_at >= :from))"
                + " ORDER BY t.name, t.id")
        .bind("from", from.atOffset(ZoneOffset.UTC))
        .bind("to", to.atOffset(ZoneOffset.UTC))
        .map(BillingTenants::ref)
        .all();
  }

  /** Live tenants with a spend limit (the administrator's, their own, or both). */
  public Flux<TenantRef> withLimits() {
    return db.sql(
            COLUMNS
                + " WHERE t.deleted_at IS NULL"
                + " AND (t.spend_limit_micros IS NOT NULL OR s.spend_limit_micros IS NOT NULL)")
        .map(BillingTenants::ref)
        .all();
  }

  /** Locks the live tenant's row for the transaction, so reservations of one tenant queue up. */
  public Mono<TenantRef> lock(UUID tenantId) {
    return db.sql(COLUMNS + " WHERE t.id = :id AND t.deleted_at IS NULL FOR UPDATE OF t")
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
        row.get("spend_limit_micros", Long.class),
        row.get("own_limit_micros", Long.class),
        row.get("alert_threshold_pct", Integer.class));
  }
}
