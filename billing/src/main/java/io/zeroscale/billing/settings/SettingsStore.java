package io.zeroscale.billing.settings;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/** The tenant's own billing settings ({@code tenant_billing_settings}, V6): billing's own table. */
public final class SettingsStore {

  private final DatabaseClient db;

  public SettingsStore(DatabaseClient db) {
    this.db = db;
  }

  /** Stores the tenant's settings, replacing the last ones. */
  public Mono<Void> put(UUID tenantId, Long limitMicros, Integer alertPct, Instant now) {
    DatabaseClient.GenericExecuteSpec sql =
        db.sql(
                "INSERT INTO tenant_billing_settings"
                    + " (tenant_id, spend_limit_micros, alert_threshold_pct, updated_at)"
                    + " VALUES (:t, :limit, :alert, :now) ON CONFLICT (tenant_id) DO UPDATE SET"
                    + " spend_limit_micros = EXCLUDED.spend_limit_micros,"
                    + " alert_threshold_pct = EXCLUDED.alert_threshold_pct,"
                    + " updated_at = EXCLUDED.updated_at")
            .bind("t", tenantId)
            .bind("now", now.atOffset(ZoneOffset.UTC));
    sql = limitMicros == null ? sql.bindNull("limit", Long.class) : sql.bind("limit", limitMicros);
    sql = alertPct == null ? sql.bindNull("alert", Integer.class) : sql.bind("alert", alertPct);
    return sql.then();
  }
}
