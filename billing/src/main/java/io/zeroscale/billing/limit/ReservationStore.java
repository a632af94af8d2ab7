package io.zeroscale.billing.limit;

import static io.zeroscale.billing.ledger.LedgerStore.odt;

import java.time.Instant;
import java.time.YearMonth;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/** Reservations of first hours against spend limits ({@code budget_reservations}). */
public final class ReservationStore {

  private final DatabaseClient db;

  public ReservationStore(DatabaseClient db) {
    this.db = db;
  }

  /**
   * Micro-dollars reserved for the tenant's instances that the ledger does not charge yet (their
   * first hour is counted here until it is counted there).
   */
  public Mono<Long> reservedMicros(UUID tenantId, YearMonth period) {
    return db.sql(
            "SELECT COALESCE(SUM(r.micros), 0) AS micros FROM budget_reservations r WHERE"
                + " r.tenant_id = :tenant AND r.period = :p AND NOT EXISTS (SELECT 1 FROM"
                + " billing_instances b WHERE b.instance_id = r.instance_id)")
        .bind("tenant", tenantId)
        .bind("p", period.toString())
        .map(row -> ((Number) row.get("micros")).longValue())
        .one();
  }

  public Mono<Boolean> hasReservation(String instanceId) {
    return db.sql("SELECT 1 FROM budget_reservations WHERE instance_id = :id")
        .bind("id", instanceId)
        .map(row -> true)
        .one()
        .defaultIfEmpty(false);
  }

  public Mono<Void> reserve(
      String instanceId, UUID tenantId, YearMonth period, long micros, Instant now) {
    return db.sql(
            "INSERT INTO budget_reservations (instance_id, tenant_id, period, micros, created_at)"
                + " VALUES (:id, :tenant, :p, :micros, :now) ON CONFLICT (instance_id) DO NOTHING")
        .bind("id", instanceId)
        .bind("tenant", tenantId)
        .bind("p", period.toString())
        .bind("micros", micros)
        .bind("now", odt(now))
        .then();
  }
}
