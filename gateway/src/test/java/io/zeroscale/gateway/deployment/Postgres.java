package io.zeroscale.gateway.deployment;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * An embedded PostgreSQL for the store's ITs, one database per test class, migrated by the
 * gateway's own Flyway migrations ({@code classpath:db/migration}; billing's are not on this
 * classpath, and nothing here needs them).
 */
final class Postgres implements AutoCloseable {

  private final EmbeddedPostgres pg;

  private Postgres(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  static Postgres start(Path dir) throws Exception {
    return new Postgres(EmbeddedPostgres.builder().setDataDirectory(dir).start());
  }

  /** A new empty database. */
  DataSource database(String name) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return pg.getDatabase("postgres", name);
  }

  /** Migrates {@code ds} up to {@code target} ("latest" for all). */
  static void migrate(DataSource ds, String target) {
    Flyway.configure()
        .dataSource(ds)
        .locations("classpath:db/migration")
        .target(target)
        .load()
        .migrate();
  }

  /** An R2DBC connection factory of database {@code name}. */
  ConnectionFactory r2dbc(String name) {
    return ConnectionFactories.get(
        "r2dbc:postgresql://postgres@localhost:" + pg.getPort() + "/" + name);
  }

  static void execute(DataSource ds, String... sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  @Override
  public void close() throws Exception {
    pg.close();
  }
}
