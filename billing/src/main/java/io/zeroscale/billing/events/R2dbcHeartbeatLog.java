package io.zeroscale.billing.events;

import io.zeroscale.activator.events.Heartbeat;
import io.zeroscale.activator.events.HeartbeatLog;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Heartbeats in {@code instance_heartbeats}: one row per instance, its last time seen. */
public final class R2dbcHeartbeatLog implements HeartbeatLog {

  private static final String UPSERT =
      """
      INSERT INTO instance_heartbeats (instance_id, deployment_id, tenant_id, gpu, num_gpus,
                                       last_seen_at)
      VALUES (:instanceId, :deploymentId, :tenantId, :gpu, :numGpus, :at)
      ON CONFLICT (instance_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
        WHERE instance_heartbeats.last_seen_at < EXCLUDED.last_seen_at
      """;

  private final DatabaseClient db;

  public R2dbcHeartbeatLog(DatabaseClient db) {
    this.db = db;
  }

  @Override
  public Mono<Void> beat(List<Heartbeat> beats) {
    return Flux.fromIterable(beats)
        .concatMap(
            h ->
                db.sql(UPSERT)
                    .bind("instanceId", h.instanceId())
                    .bind("deploymentId", UUID.fromString(h.deploymentId()))
                    .bind("tenantId", UUID.fromString(h.tenantId()))
                    .bind("gpu", h.gpu())
                    .bind("numGpus", h.numGpus())
                    .bind("at", h.at().atOffset(ZoneOffset.UTC))
                    .fetch()
                    .rowsUpdated())
        .then();
  }
}
