package io.zeroscale.standalone;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Embedded PostgreSQL (zonky) and Redis (codemonstur) servers for the standalone app, bound to
 * 127.0.0.1 on free ports, with their files under {@code ZEROSCALE_HOME}.
 *
 * <p>Decisions: PostgreSQL's data persists across starts (it is the system of record); Redis runs
 * without persistence, because what it holds (endpoints, in-flight counts, leases) describes
 * processes that do not survive a restart. A server left behind by a killed JVM (SIGKILL gives no
 * chance to stop it) is found by its pid file and stopped before the new one starts.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedInfrastructure.class);
  static final String DATABASE = "zeroscale";
  static final String USER = "postgres";

  private final ZeroscaleHome home;
  private EmbeddedPostgres postgres;
  private RedisServer redis;
  private int redisPort;

  public EmbeddedInfrastructure(ZeroscaleHome home) {
    this.home = home;
  }

  /**
   * Creates the embedded servers on first need, so that a run against external PostgreSQL and Redis
   * never touches the embedded binaries; {@link #close()} stops whatever was created.
   */
  public static final class Factory implements AutoCloseable {
    private EmbeddedInfrastructure instance;

    public synchronized EmbeddedInfrastructure get(ZeroscaleHome home) {
      if (instance == null) {
        instance = new EmbeddedInfrastructure(home);
      }
      return instance;
    }

    @Override
    public synchronized void close() {
      if (instance != null) {
        instance.close();
      }
    }
  }

  /** Starts PostgreSQL and creates the {@code zeroscale} database on first use. */
  public synchronized PostgresUrl startPostgres() {
    Path data = home.postgresData();
    try {
      Files.createDirectories(data.getParent());
      stopOrphan(data.resolve("postmaster.pid"), "postgres");
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "100")
              .start();
      createDatabaseIfMissing();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL failed to start in " + data, e);
    }
    log.info("Embedded PostgreSQL on 127.0.0.1:{} (data in {})", postgres.getPort(), data);
    return new PostgresUrl("127.0.0.1", postgres.getPort(), DATABASE, USER, null, null);
  }

  /** Starts Redis on a free port and answers its URL. */
  public synchronized String startRedis() {
    Path dir = home.redisDir();
    try {
      Files.createDirectories(dir);
      Path pidFile = dir.resolve("redis.pid");
      stopOrphan(pidFile, "redis");
      redisPort = freePort();
      redis =
          RedisServer.newRedisServer()
              .bind("127.0.0.1")
              .port(redisPort)
              .setting("dir " + dir)
              .setting("pidfile " + pidFile)
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      redis.start();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis failed to start in " + dir, e);
    }
    log.info("Embedded Redis on 127.0.0.1:{}", redisPort);
    return "redis://127.0.0.1:" + redisPort;
  }

  private void createDatabaseIfMissing() {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (rs.next()) {
          return;
        }
      }
      st.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + DATABASE, e);
    }
  }

  /**
   * Stops a server that a previous, killed JVM left running, identified by the pid on the first
   * line of its pid file and by its command name (so a recycled pid is never killed).
   */
  static void stopOrphan(Path pidFile, String commandNameFragment) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> orphan =
        Files.readAllLines(pidFile).stream()
            .findFirst()
            .map(String::strip)
            .filter(s -> s.matches("\\d+"))
            .flatMap(s -> ProcessHandle.of(Long.parseLong(s)))
            .filter(ProcessHandle::isAlive)
            .filter(
                p ->
                    p.info().command().map(cmd -> cmd.contains(commandNameFragment)).orElse(false));
    if (orphan.isPresent()) {
      log.warn(
          "Stopping {} (pid {}) left running by an earlier start",
          commandNameFragment,
          orphan.get().pid());
      orphan.get().destroy();
      try {
        orphan.get().onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        orphan.get().destroyForcibly();
      }
    }
    if ("redis".equals(commandNameFragment)) {
      Files.deleteIfExists(pidFile);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops what this object started, Redis first (nothing durable in it), then PostgreSQL. */
  @Override
  public synchronized void close() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException | RuntimeException e) {
        log.warn("Embedded Redis did not stop cleanly", e);
      }
      redis = null;
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException | RuntimeException e) {
        log.warn("Embedded PostgreSQL did not stop cleanly", e);
      }
      postgres = null;
    }
  }
}
