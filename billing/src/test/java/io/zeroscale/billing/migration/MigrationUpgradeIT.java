package io.zeroscale.billing.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.ConnectionFactories;
import io.zeroscale.activator.events.Heartbeat;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.billing.events.R2dbcEventLog;
import io.zeroscale.billing.events.R2dbcHeartbeatLog;
import io.zeroscale.billing.invoice.InvoiceStore;
import io.zeroscale.billing.ledger.LedgerEntry;
import io.zeroscale.billing.ledger.LedgerProjection;
import io.zeroscale.billing.ledger.LedgerStore;
import io.zeroscale.billing.limit.ReservationStore;
import io.zeroscale.billing.tenant.BillingTenants;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Billing's migrations moved from the gateway's jar to billing's, under the same classpath location
 * ({@code db/migration}) with the same names and bytes: one Flyway still sees V1–V5, so a database
 * created before the move validates (same versions, descriptions and checksums), migrates, and its
 * billing data reads back through the new code.
 *
 * <p>"Today's main" is {@code src/test/resources/upgrade/main.sql}: a {@code pg_dump} of a database
 * that V1–V5, exactly as they were in {@code gateway/src/main/resources/db/migration} at 93a106b
 * (before the move), created: its schema and its {@code flyway_schema_history} rows, with the
 * checksums Flyway computed for those files. Editing an applied migration fails validation here.
 */
class MigrationUpgradeIT {

  static final String MAIN_DUMP = "upgrade/main.sql";
  static final String APP_LOCATION = "classpath:db/migration";

  /**
   * Migrations added after the move (V6 billing settings, V7 key rotation, V8 deployment revisions,
   * V9 S3 model sources): not in main's dump.
   */
  static final int AFTER_V5 = 4;

  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  static final UUID MODEL = UUID.fromString("00000000-0000-0000-0000-0000000000b1");
  static final UUID DEP = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
  static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");

  @TempDir static Path tmp;
  static EmbeddedPostgres pg;

  @BeforeAll
  static void start() throws Exception {
    pg = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static DataSource database(String name) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return pg.getDatabase("postgres", name);
  }

  private static Flyway flyway(DataSource ds, String location) {
    return Flyway.configure().dataSource(ds).locations(location).load();
  }

  private static Flyway flyway(DataSource ds, String location, String target) {
    return Flyway.configure().dataSource(ds).locations(location).target(target).load();
  }

  @Test
  void aDatabaseCreatedByTheOldSchemaValidatesMigratesAndItsBillingDataReadsBack()
      throws Exception {
    DataSource ds = database("upgrade");
    restore(ds, MAIN_DUMP);
    Map<String, Integer> oldChecksums = checksums(flyway(ds, APP_LOCATION));
    assertThat(oldChecksums).hasSize(5);
    insertBillingRows(ds);

    Flyway app = flyway(ds, APP_LOCATION);
    // Validates what is applied (versions, descriptions, checksums); V6+ are pending, as they
    // are for Spring Boot's migrate-on-start, which validates the same way.
    ValidateResult validation =
        Flyway.configure()
            .dataSource(ds)
            .locations(APP_LOCATION)
            .ignoreMigrationPatterns("*:pending")
            .load()
            .validateWithResult();
    assertThat(validation.validationSuccessful).as(validation.getAllErrorMessages()).isTrue();
    MigrateResult migrated = app.migrate();
    assertThat(migrated.success).isTrue();
    // What came after V5 (V6 billing settings, V7 key rotation, V8 deployment revisions, V9 S3
    // model sources) is all
    // that runs; V1–V5 stay.
    assertThat(migrated.migrationsExecuted).as("only the migrations after V5").isEqualTo(AFTER_V5);
    assertThat(checksums(app)).hasSize(5 + AFTER_V5).containsAllEntriesOf(oldChecksums);

    DatabaseClient db = r2dbc("upgrade");
    // V8: the old deployment runs its revision 1, active.
    assertThat(
            db.sql(
                    "SELECT d.revision, r.status FROM deployments d JOIN deployment_revisions r"
                        + " ON r.deployment_id = d.id WHERE d.id = :id")
                .bind("id", DEP)
                .map(
                    row ->
                        row.get("revision", Integer.class) + " " + row.get("status", String.class))
                .all()
                .collectList()
                .block())
        .containsExactly("1 active");
    LedgerStore ledger = new LedgerStore(db);
    List<LedgerEntry> entries =
        ledger.entries(TENANT, NOV, NOV.plus(Duration.ofDays(30))).collectList().block();
    assertThat(entries)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.instanceId()).isEqualTo("i-old");
              assertThat(e.deploymentName()).isEqualTo("chat");
              assertThat(e.microsPerGpuHour()).isEqualTo(2_000_000);
              assertThat(e.endedAt()).isEqualTo(Instant.parse("2026-11-02T11:30:00Z"));
            });
    InvoiceStore invoices = new InvoiceStore(db);
    assertThat(invoices.finalizedPeriods().block()).containsExactly(YearMonth.of(2026, 10));
    assertThat(invoices.finalByNumber("INV-202610-acme-001").block())
        .satisfies(s -> assertThat(s.json()).isEqualTo("{\"number\":\"INV-202610-acme-001\"}"));
    assertThat(invoices.invoiced(TENANT, List.of(YearMonth.of(2026, 10))).collectList().block())
        .singleElement()
        .satisfies(c -> assertThat(c.charge().billedGpuSeconds()).isEqualTo(3600));
    assertThat(new ReservationStore(db).reservedMicros(TENANT, YearMonth.of(2026, 11)).block())
        .isEqualTo(4_000_000);
    // The admin's limit of the old row is the enforced one: the tenant has no settings of its own.
    assertThat(new BillingTenants(db).tenant(TENANT).block().spendLimitMicros())
        .isEqualTo(50_000_000L);

    // The activator's adapters, now in billing, write into the old tables and the ledger follows.
    Instant at = Instant.parse("2026-11-05T10:00:00Z");
    new R2dbcEventLog(db)
        .append(
            List.of(
                new LifecycleEvent(
                    "i-new",
                    DEP.toString(),
                    TENANT.toString(),
                    LifecycleEvent.Type.SCHEDULED,
                    at,
                    "A100-80GB",
                    1,
                    "process",
                    null)))
        .block();
    new R2dbcHeartbeatLog(db)
        .beat(
            List.of(
                new Heartbeat(
                    "i-new",
                    DEP.toString(),
                    TENANT.toString(),
                    "A100-80GB",
                    1,
                    at.plusSeconds(60))))
        .block();
    MutableClock clock = MutableClock.at(at.plusSeconds(90));
    new LedgerProjection(ledger, HardwareCatalog.defaults(), clock, Duration.ofMinutes(5))
        .project()
        .block();
    assertThat(ledger.entries(TENANT, NOV, NOV.plus(Duration.ofDays(30))).collectList().block())
        .extracting(LedgerEntry::instanceId)
        .containsExactly("i-old", "i-new");
  }

  /**
   * A new database gets the same history and schema from the new layout as main's database has: the
   * control plane's V1–V3 from the gateway's jar, billing's V4–V5 from billing's.
   */
  @Test
  void aNewDatabaseGetsTheSameHistoryWithBillingsMigrationsFromBillingsJar() throws Exception {
    DataSource fresh = database("fresh");
    // Up to V5, the same as main's database; what came later is checked after.
    assertThat(flyway(fresh, APP_LOCATION, "5").migrate().migrationsExecuted).isEqualTo(5);
    DataSource reference = database("reference");
    restore(reference, MAIN_DUMP);
    assertThat(checksums(flyway(fresh, APP_LOCATION)))
        .isEqualTo(checksums(flyway(reference, APP_LOCATION)));
    assertThat(schema(fresh)).isNotEmpty().isEqualTo(schema(reference));
    assertThat(flyway(fresh, APP_LOCATION).migrate().migrationsExecuted).isEqualTo(AFTER_V5);

    Map<String, String> origin = new TreeMap<>();
    for (MigrationInfo m : flyway(fresh, APP_LOCATION).info().all()) {
      List<URL> copies =
          Collections.list(
              MigrationUpgradeIT.class
                  .getClassLoader()
                  .getResources("db/migration/" + m.getScript()));
      assertThat(copies).as("one copy of %s on the classpath", m.getScript()).hasSize(1);
      String where = copies.getFirst().toString();
      origin.put(
          m.getVersion().getVersion(),
          where.contains("/billing/") ? "billing" : where.contains("gateway") ? "gateway" : where);
    }
    assertThat(origin)
        .isEqualTo(
            Map.of(
                "1", "gateway", "2", "gateway", "3", "gateway", "4", "billing", "5", "billing", "6",
                "billing", "7", "gateway", "8", "gateway", "9", "gateway"));
  }

  /**
   * Runs a plain-SQL {@code pg_dump} from the classpath on its own connection (the dump resets
   * {@code search_path}), skipping psql's meta-commands (the lines that start with a backslash, the
   * dump's {@code restrict} guards).
   */
  private static void restore(DataSource ds, String resource) throws IOException, SQLException {
    String sql;
    try (InputStream in = MigrationUpgradeIT.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      sql =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(line -> !line.startsWith("\\"))
              .collect(Collectors.joining("\n"));
    }
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** Every column, constraint and index of the public schema but Flyway's own table, as text. */
  private static List<String> schema(DataSource ds) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_name || '.' || column_name || ' ' || data_type || ' '"
                    + " || is_nullable || ' ' || coalesce(column_default, '') FROM"
                    + " information_schema.columns WHERE table_schema = 'public' AND table_name"
                    + " <> 'flyway_schema_history'"
                    + " UNION ALL SELECT conrelid::regclass || ' ' || conname || ' '"
                    + " || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace ="
                    + " 'public'::regnamespace AND conrelid::regclass::text <>"
                    + " 'flyway_schema_history'"
                    + " UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"
                    + " AND tablename <> 'flyway_schema_history' ORDER BY 1")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  /** Version → checksum of every applied migration, with its description. */
  private static Map<String, Integer> checksums(Flyway flyway) {
    return Arrays.stream(flyway.info().applied())
        .collect(
            Collectors.toMap(
                m -> m.getVersion().getVersion() + " " + m.getDescription(),
                MigrationInfo::getChecksum,
                (a, b) -> a,
                TreeMap::new));
  }

  private static DatabaseClient r2dbc(String database) {
    return DatabaseClient.create(
        ConnectionFactories.get(
            "r2dbc:postgresql://postgres@localhost:" + pg.getPort() + "/" + database));
  }

  /** Rows as the code at 93a106b wrote them: a tenant, a finished instance, a closed October. */
  private static void insertBillingRows(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO tenants (id, name, spend_limit_micros, created_at, updated_at) VALUES ('"
              + TENANT
              + "', 'acme', 50000000, now(), now())");
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
              + "', 'chat', 'llm', 'A100-80GB', 1, 8, 0, 2, 300, 600, 100, 0.7, 60, true,"
              + " 'scaled_to_zero', now(), now())");
      st.execute(
          "INSERT INTO instance_events (event_id, instance_id, deployment_id, tenant_id, type,"
              + " occurred_at, gpu, num_gpus, runtime) VALUES ('"
              + UUID.randomUUID()
              + "', 'i-old', '"
              + DEP
              + "', '"
              + TENANT
              + "', 'scheduled', '2026-11-02T10:00:00Z', 'A100-80GB', 1, 'process'), ('"
              + UUID.randomUUID()
              + "', 'i-old', '"
              + DEP
              + "', '"
              + TENANT
              + "', 'stopped', '2026-11-02T11:30:00Z', 'A100-80GB', 1, 'process')");
      st.execute(
          "INSERT INTO instance_heartbeats VALUES ('i-old', '"
              + DEP
              + "', '"
              + TENANT
              + "', 'A100-80GB', 1, '2026-11-02T11:29:50Z')");
      st.execute(
          "INSERT INTO billing_instances VALUES ('i-old', '"
              + TENANT
              + "', '"
              + DEP
              + "', 'A100-80GB', 1, 2000000, '2026-11-02T10:00:00Z', '2026-11-02T11:30:00Z',"
              + " 'stopped', now(), now())");
      st.execute("INSERT INTO billing_periods VALUES ('2026-10', '2026-11-01T01:00:00Z')");
      UUID invoice = UUID.randomUUID();
      st.execute(
          "INSERT INTO invoices VALUES ('"
              + invoice
              + "', '"
              + TENANT
              + "', 'acme', '2026-10', 1, 'INV-202610-acme-001', 2000000,"
              + " '{\"number\":\"INV-202610-acme-001\"}', 'number\r\nINV-202610-acme-001\r\n',"
              + " '2026-11-01T01:00:00Z')");
      st.execute(
          "INSERT INTO invoiced_usage VALUES ('"
              + invoice
              + "', 'i-oct', '2026-10', '"
              + DEP
              + "', 'A100-80GB', 2000000, 600, 3600, 3000)");
      st.execute(
          "INSERT INTO budget_reservations VALUES ('i-booting', '"
              + TENANT
              + "', '2026-11', 4000000, now())");
    }
  }
}
