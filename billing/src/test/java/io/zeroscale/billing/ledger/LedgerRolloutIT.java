package io.zeroscale.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.ConnectionFactories;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.billing.events.R2dbcEventLog;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The ledger on a real PostgreSQL during a rollout (issue #19): each instance is billed at the GPU
 * of its own {@code scheduled} event. A leader that adopts an instance of the old revision
 * mid-rollout knows only the deployment's new hardware, so its later events of that instance name
 * the new GPU; they must not reprice it.
 */
class LedgerRolloutIT {

  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  static final UUID MODEL = UUID.fromString("00000000-0000-0000-0000-0000000000b1");
  static final UUID DEP = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
  static final Instant AT = Instant.parse("2026-11-05T10:00:00Z");

  @TempDir static Path tmp;
  static EmbeddedPostgres pg;
  static DatabaseClient db;

  @BeforeAll
  static void start() throws Exception {
    pg = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).start();
    Flyway.configure()
        .dataSource(pg.getPostgresDatabase())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('"
              + TENANT
              + "', 'acme', now(), now())");
      st.execute(
          "INSERT INTO models (id, tenant_id, name, source, repo, revision, family, status,"
              + " created_at, updated_at) VALUES ('"
              + MODEL
              + "', '"
              + TENANT
              + "', 'chat', 'hf://org/chat@main', 'org/chat', 'main', 'llm', 'ready', now(),"
              + " now())");
      st.execute(
          "INSERT INTO deployments (id, tenant_id, model_id, model_name, family, gpu, num_gpus,"
              + " max_batch_size, min_instances, max_instances, scale_to_zero_after_s,"
              + " activation_timeout_s, max_queued_requests, target_utilization,"
              + " stable_window_s, billing_aware_scale_down, status, created_at, updated_at)"
              + " VALUES ('"
              + DEP
              + "', '"
              + TENANT
              + "', '"
              + MODEL
              + "', 'chat', 'llm', 'H100-80GB', 2, 8, 0, 2, 300, 600, 100, 0.7, 60, true,"
              + " 'running', now(), now())");
    }
    db =
        DatabaseClient.create(
            ConnectionFactories.get(
                "r2dbc:postgresql://postgres@localhost:" + pg.getPort() + "/postgres"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void anInstanceIsBilledAtTheGpuOfItsScheduledEventWhateverLaterEventsSay() {
    // The adopting leader's events are written first, so that an unordered pick would find them.
    R2dbcEventLog events = new R2dbcEventLog(db);
    events
        .append(
            List.of(
                event("old-1", LifecycleEvent.Type.DRAINING, AT.plusSeconds(600), "H100-80GB", 2),
                event("old-1", LifecycleEvent.Type.STOPPED, AT.plusSeconds(620), "H100-80GB", 2)))
        .block();
    events
        .append(
            List.of(
                event("old-1", LifecycleEvent.Type.SCHEDULED, AT, "A100-80GB", 1),
                event("new-1", LifecycleEvent.Type.SCHEDULED, AT.plusSeconds(500), "H100-80GB", 2)))
        .block();

    LedgerStore ledger = new LedgerStore(db);
    new LedgerProjection(
            ledger,
            HardwareCatalog.defaults(),
            MutableClock.at(AT.plusSeconds(900)),
            Duration.ofMinutes(5))
        .project()
        .block();

    List<LedgerEntry> entries =
        ledger.entries(TENANT, AT.minusSeconds(60), AT.plusSeconds(3600)).collectList().block();
    assertThat(entries)
        .filteredOn(e -> e.instanceId().equals("old-1"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.gpu()).isEqualTo("A100-80GB");
              assertThat(e.numGpus()).isEqualTo(1);
              assertThat(e.microsPerGpuHour()).isEqualTo(2_000_000);
            });
    assertThat(entries)
        .filteredOn(e -> e.instanceId().equals("new-1"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.gpu()).isEqualTo("H100-80GB");
              assertThat(e.numGpus()).isEqualTo(2);
              assertThat(e.microsPerGpuHour()).isEqualTo(2_500_000);
            });
  }

  private static LifecycleEvent event(
      String instance, LifecycleEvent.Type type, Instant at, String gpu, int numGpus) {
    return new LifecycleEvent(
        instance, DEP.toString(), TENANT.toString(), type, at, gpu, numGpus, "process", null);
  }
}
