package io.zeroscale.billing.events;

import io.zeroscale.activator.events.EventLog;
import io.zeroscale.activator.events.LifecycleEvent;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The PostgreSQL ledger's input ({@code instance_events}); duplicates are ignored by event id. */
public final class R2dbcEventLog implements EventLog {

  private static final String INSERT =
      """
      INSERT INTO instance_events (event_id, instance_id, deployment_id, tenant_id, type,
                                   occurred_at, gpu, num_gpus, runtime, detail)
      VALUES (:eventId, :instanceId, :deploymentId, :tenantId, :type,
              :occurredAt, :gpu, :numGpus, :runtime, :detail)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private final DatabaseClient db;

  public R2dbcEventLog(DatabaseClient db) {
    this.db = db;
  }

  @Override
  public Mono<Void> append(List<LifecycleEvent> events) {
    return Flux.fromIterable(events).concatMap(this::insert).then();
  }

  private Mono<Long> insert(LifecycleEvent e) {
    DatabaseClient.GenericExecuteSpec spec =
        db.sql(INSERT)
            .bind("eventId", e.eventId())
            .bind("instanceId", e.instanceId())
            .bind("deploymentId", UUID.fromString(e.deploymentId()))
            .bind("tenantId", UUID.fromString(e.tenantId()))
            .bind("type", e.type().wire())
            .bind("occurredAt", e.at().atOffset(ZoneOffset.UTC))
            .bind("gpu", e.gpu())
            .bind("numGpus", e.numGpus())
            .bind("runtime", e.runtime());
    spec =
        e.detail() == null
            ? spec.bindNull("detail", String.class)
            : spec.bind("detail", e.detail());
    return spec.fetch().rowsUpdated();
  }
}
