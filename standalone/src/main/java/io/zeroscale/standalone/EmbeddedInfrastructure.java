package io.zeroscale.standalone;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * Embedded PostgreSQL (zonky) and Redis (codemonstur) servers for the standalone app, bound to
 * 127.0.0.1 on free ports, with their files under {@code ZEROSCALE_HOME}.
 *
 * <p>Decisions: PostgreSQL's data persists across starts (it is the system of record); Redis runs
 * without persistence, because what it holds (endpoints, in-flight counts, leases) describes
 * processes that do not survive a restart. A server left behind by a killed JVM (SIGKILL gives no
 * chance to stop it) is found by its pid file and stopped before the new one starts.
 *
 * <p>Both require a password generated on the first start and kept in the home (0600): {@code
 * postgres-password} (SCRAM-SHA-256) and {@code redis-password} ({@code requirepass}). Listening on
 * loopback is not a boundary between local users or between the app and the instances it runs.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  static final String DATABASE = "zeroscale";
  static final String USER = "postgres";
  static final String POSTGRES_PASSWORD = "postgres-password";
  static final String REDIS_PASSWORD = "redis-password";

  private final ZeroscaleHome home;
  private final SecureRandom random = new SecureRandom();
  private EmbeddedPostgres postgres;
  private Process redis;
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

  /**
   * Starts PostgreSQL and creates the {@code zeroscale} database on first use.
   *
   * <p>Authentication is SCRAM-SHA-256 with a password generated on the first start and kept in
   * {@code $ZEROSCALE_HOME/postgres-password} (0600): a new data folder gets it from initdb ({@code
   * --pwfile}), so it never accepts a connection without it. A data folder made by an older version
   * (initdb's {@code trust}, no password) is upgraded on its first start here: the server starts
   * with {@code trust} for the {@code postgres} role over loopback only, we set the password, write
   * the SCRAM {@code pg_hba.conf}, reload, wait until a connection without the password is refused,
   * and end every other session opened meanwhile.
   */
  public synchronized PostgresUrl startPostgres() {
    Path data = home.postgresData();
    String password;
    try {
      home.prepare();
      stopOrphan(data.resolve("postmaster.pid"), "postgres");
      boolean fresh = !Files.exists(data.resolve("postgresql.conf"));
      Path hba = data.resolve("pg_hba.conf");
      boolean upgrade = !fresh && !(Files.exists(hba) && PgHba.isScram(Files.readString(hba)));
      Optional<String> kept = home.existingSecret(POSTGRES_PASSWORD);
      if (!fresh && !upgrade && kept.isEmpty()) {
        throw new IllegalStateException(
            "the embedded PostgreSQL in "
                + data
                + " has a password, but "
                + home.postgresPasswordFile()
                + " is missing or empty: restore that file (or remove "
                + data
                + " to start with an empty database)");
      }
      password =
          kept.orElseGet(
              () -> home.secret(POSTGRES_PASSWORD, () -> ZeroscaleHome.newPassword(random)));
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "100")
              .setServerConfig("password_encryption", "scram-sha-256")
              // zonky's own readiness check and data sources connect with it.
              .setConnectConfig("password", password)
              // Runs after initdb and before the server starts, at every start.
              .setDataDirectoryCustomizer(
                  dir -> writeHba(dir.toPath(), upgrade ? PgHba.upgrading() : PgHba.scram()));
      if (fresh) {
        // zonky passes its "locale" settings to initdb as --name=value: the superuser's password
        // is set from the file (its first line), before the server ever listens.
        builder.setLocaleConfig("pwfile", home.postgresPasswordFile().toString());
      }
      postgres = builder.start();
      if (upgrade) {
        setPasswordAndRequireIt(password, data);
      }
      createDatabaseIfMissing();
    } catch (IOException e) {
      // zonky leaves a postmaster that never became ready running: stop it with us.
      stopQuietly(data.resolve("postmaster.pid"));
      if (causedByRefusedPassword(e)) {
        throw new IllegalStateException(
            "the embedded PostgreSQL in "
                + data
                + " refused the password in "
                + home.postgresPasswordFile()
                + ": restore the file that belongs to this data folder (or remove "
                + data
                + " to start with an empty database)",
            e);
      }
      throw new UncheckedIOException("embedded PostgreSQL failed to start in " + data, e);
    }
    log.info("Embedded PostgreSQL on 127.0.0.1:{} (data in {})", postgres.getPort(), data);
    return new PostgresUrl("127.0.0.1", postgres.getPort(), DATABASE, USER, password, null);
  }

  private static void stopQuietly(Path pidFile) {
    try {
      stopOrphan(pidFile, "postgres", "that did not become ready");
    } catch (IOException | RuntimeException e) {
      log.warn("Could not stop the embedded PostgreSQL after a failed start", e);
    }
  }

  /** zonky reports a refused readiness login as "gave up waiting", with the refusal as a cause. */
  static boolean causedByRefusedPassword(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("password authentication failed")) {
        return true;
      }
    }
    return false;
  }

  private static void writeHba(Path dataDir, String content) {
    try {
      Files.writeString(dataDir.resolve("pg_hba.conf"), content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write pg_hba.conf in " + dataDir, e);
    }
  }

  /** The upgrade of an older data folder; see {@link #startPostgres()}. */
  private void setPasswordAndRequireIt(String password, Path data) {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      // The password is hex (ZeroscaleHome.newPassword); the quoting is for a hand-written file.
      st.execute("ALTER ROLE " + USER + " WITH PASSWORD '" + password.replace("'", "''") + "'");
      writeHba(data, PgHba.scram());
      st.execute("SELECT pg_reload_conf()");
      awaitPasswordRequired();
      st.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
              + " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot set the generated password of the embedded PostgreSQL", e);
    }
    log.info(
        "Embedded PostgreSQL now requires the password kept in {} (upgraded from trust"
            + " authentication)",
        home.postgresPasswordFile());
  }

  /** pg_reload_conf() only signals the postmaster: wait until the new rules apply. */
  private void awaitPasswordRequired() {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection probe = postgres.getDatabase(USER, "postgres", Map.of()).getConnection()) {
        // Still trust: the reload has not happened yet.
      } catch (SQLException refused) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException(
        "the embedded PostgreSQL still accepts connections without a password after reloading");
  }

  /**
   * Starts Redis on a free port, requiring the password kept in the home; answers where it is.
   *
   * <p>The process is this object's, stopped by {@link #close()} only, after the application
   * context has closed. embedded-redis's own {@code RedisServer} is not used to run it: it
   * registers a JVM shutdown hook that stops Redis as soon as the JVM begins to exit, at the same
   * time as the ordered shutdown, so the context closed against a dead Redis (the last series flush
   * hung for its whole timeout and was lost, instance events failed). The library only unpacks the
   * binary.
   */
  public synchronized RedisEndpoint startRedis() {
    Path dir = home.redisDir();
    try {
      home.prepare();
      home.ensurePrivateDir(dir);
      String password = home.secret(REDIS_PASSWORD, () -> ZeroscaleHome.newPassword(random));
      Path pidFile = dir.resolve("redis.pid");
      stopOrphan(pidFile, "redis");
      redisPort = freePort();
      // The binary is unpacked into the home, not into a new directory of /tmp that a killed JVM
      // would leave behind (and that a noexec /tmp could not run).
      File binary =
          ExecutableProvider.newJarResourceProvider(
                  () -> binaryDir(dir), ExecutableProvider.newProvidedVersionsMap())
              .get();
      // The settings, the password among them, go to a file only the owner reads, never to the
      // command line that ps shows.
      Path conf = dir.resolve("redis.conf");
      Files.deleteIfExists(conf);
      Files.createFile(conf, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(
          conf,
          String.join(
              "\n",
              "bind 127.0.0.1",
              "port " + redisPort,
              "dir \"" + dir + "\"",
              "pidfile \"" + pidFile + "\"",
              "save \"\"",
              "appendonly no",
              "daemonize no",
              "requirepass " + password,
              ""));
      Path output = dir.resolve("redis.log");
      redis =
          new ProcessBuilder(binary.getAbsolutePath(), conf.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      awaitRedis(redis, redisPort, output);
      log.info("Embedded Redis on 127.0.0.1:{}", redisPort);
      return new RedisEndpoint("redis://127.0.0.1:" + redisPort, password);
    } catch (IOException e) {
      if (redis != null) {
        redis.destroyForcibly();
        redis = null;
      }
      throw new UncheckedIOException("embedded Redis failed to start in " + dir, e);
    }
  }

  /** Waits until Redis accepts connections (30 s at most), or fails with the end of its log. */
  private static void awaitRedis(Process process, int port, Path output) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("Redis exited with " + process.exitValue() + ": " + tail(output));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for Redis", e);
        }
      }
    }
    throw new IOException("Redis did not accept connections within 30 s: " + tail(output));
  }

  private static String tail(Path output) {
    try {
      List<String> lines = Files.readAllLines(output);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM to Redis (it saves nothing), then SIGKILL if it has not exited within 10 s. */
  private static void stopRedis(Process process) throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("Redis did not stop within 10 s of SIGTERM: killed");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code redis/bin} in the home, emptied: embedded-redis refuses to unpack over a binary that a
   * killed JVM left there (a clean exit deletes it).
   */
  private File binaryDir(Path redisDir) throws IOException {
    Path bin = redisDir.resolve("bin");
    home.ensurePrivateDir(bin);
    try (Stream<Path> stale = Files.list(bin)) {
      for (Path file : stale.toList()) {
        Files.deleteIfExists(file);
      }
    }
    return bin.toFile();
  }

  /**
   * Where the embedded Redis listens and the password it requires.
   *
   * @param url {@code redis://127.0.0.1:port}, without credentials
   * @param password the {@code requirepass} password
   */
  public record RedisEndpoint(String url, String password) {
    @Override
    public String toString() {
      return "RedisEndpoint[" + url + "]";
    }
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
    stopOrphan(pidFile, commandNameFragment, "left running by an earlier start");
  }

  private static void stopOrphan(Path pidFile, String commandNameFragment, String why)
      throws IOException {
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
      log.warn("Stopping {} (pid {}) {}", commandNameFragment, orphan.get().pid(), why);
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
      Process process = redis;
      stopQuietly("Redis", () -> stopRedis(process));
      redis = null;
    }
    if (postgres != null) {
      stopQuietly("PostgreSQL", postgres::close);
      postgres = null;
    }
  }

  /** Runs {@code stop}; a failure is logged, never thrown (close goes on with the rest). */
  private static void stopQuietly(String what, Stop stop) {
    try {
      stop.run();
    } catch (IOException | RuntimeException e) {
      log.warn("Embedded {} did not stop cleanly", what, e);
    }
  }

  private interface Stop {
    void run() throws IOException;
  }
}
