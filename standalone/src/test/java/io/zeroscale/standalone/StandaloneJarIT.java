package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * The standalone jar as a user runs it (SPEC §10): up within 60 s on embedded PostgreSQL and Redis,
 * exactly {@code {"status":"UP"}}, keys printed, data reused by a second start, nothing left
 * running after SIGTERM; and external servers used instead of embedded ones when their URLs are
 * given.
 *
 * <p>The new home's two starts also carry issue #16's checks of a new home ({@link
 * EmbeddedCredentialsIT}'s helpers): both starts of the same home are shared instead of made twice
 * by two classes.
 */
class StandaloneJarIT {

  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  /** A log line at ERROR level, in Spring Boot's console format (time, level, pid, ---). */
  private static final Pattern ERROR_LINE = Pattern.compile("(?m)^\\S+\\s+ERROR\\s+\\d+\\s+---.*$");

  /** A frame of a logged stack trace. */
  private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at \\S+\\(.*\\)$");

  private static final String ADMIN_KEY = "zs-" + "A".repeat(40);

  @TempDir Path tmp;

  /**
   * A new home, started twice. Besides the jar's own checks, issue #16's for a new home (merged
   * here from EmbeddedCredentialsIT, whose test made the same two starts): the embedded PostgreSQL
   * and Redis refuse a client without the generated passwords, the home's files are their owner's
   * only, the passwords are in no log, command line or actuator endpoint, and the restart reuses
   * them.
   */
  @Test
  void runsOnEmbeddedServersBehindPasswordsReusesDataAndLeavesNothingRunningAfterSigterm()
      throws Exception {
    Path home = tmp.resolve("home");
    String demoKey;
    String pgPassword;
    String redisPassword;
    try (StandaloneProcess app = StandaloneProcess.start(home, Map.of())) {
      assertThat(app.awaitHealthy(START_LIMIT)).isEqualTo("{\"status\":\"UP\"}");

      demoKey = app.bannerValue("demo tenant key").orElseThrow();
      String adminKey = app.bannerValue("admin key").orElseThrow();
      assertThat(demoKey).matches("zs-[0-9A-Za-z]{40}");
      assertThat(adminKey).matches("zs-[0-9A-Za-z]{40}").isNotEqualTo(demoKey);
      assertThat(Files.readString(home.resolve("admin-key")).strip()).isEqualTo(adminKey);
      assertThat(app.output()).contains("http://localhost:" + app.port);

      ApiClient api = new ApiClient(app.port);
      ApiClient.Response anonymous = api.get("/v1/no-such-path", null);
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(anonymous.body())
          .startsWith("{\"error\":{")
          .contains("\"type\":\"authentication_error\"", "\"code\":\"missing_api_key\"");
      ApiClient.Response notFound = api.get("/v1/no-such-path", demoKey);
      assertThat(notFound.status()).isEqualTo(404);
      assertThat(notFound.body())
          .startsWith("{\"error\":{")
          .contains("\"type\":\"not_found_error\"", "\"param\":null", "\"code\":null");

      List<ProcessHandle> started = startedProcesses(app, home);
      assertThat(started).as("java, redis and the postmaster").hasSizeGreaterThanOrEqualTo(3);
      assertThat(started).allMatch(ProcessHandle::isAlive);
      assertThat(started.stream().map(p -> p.info().command().orElse("")))
          .as("the Redis binary runs from the home, not from a directory of /tmp")
          .anyMatch(c -> c.startsWith(home.resolve("redis/bin/redis-server").toString()));
      assertThat(tenantNames(home)).containsExactly("demo");

      pgPassword = EmbeddedCredentialsIT.secret(home, "postgres-password");
      redisPassword = EmbeddedCredentialsIT.secret(home, "redis-password");
      assertThat(pgPassword).matches("[0-9a-f]{48}");
      assertThat(redisPassword).matches("[0-9a-f]{48}").isNotEqualTo(pgPassword);
      EmbeddedCredentialsIT.assertPasswordsRequired(app, pgPassword, redisPassword);
      EmbeddedCredentialsIT.assertPrivate(home);
      EmbeddedCredentialsIT.assertSecretsNotExposed(app, home, pgPassword, redisPassword);

      int beforeSigterm = app.output().length();
      int exit = app.terminate(Duration.ofSeconds(60));
      assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(started).noneMatch(ProcessHandle::isAlive));
      // A clean start and an ordered stop (the context closes before the servers it uses): no
      // error while starting, none after SIGTERM, and no stack trace or unclean stop of a server
      // then. Between the two, a loaded machine may make a client library log an error of its own
      // (a Redis ping timing out); that is not what this test is about.
      String output = app.output();
      String startUp = output.substring(0, output.indexOf("Zeroscale is running"));
      String shutdown = output.substring(beforeSigterm);
      assertThat(errorLines(startUp)).as("ERROR lines while starting").isEmpty();
      assertThat(errorLines(shutdown)).as("ERROR lines after SIGTERM").isEmpty();
      assertThat(shutdown)
          .as("after SIGTERM")
          .doesNotContain("did not stop cleanly")
          // Redis outlives the context: the last series flush reaches it (embedded-redis's own
          // shutdown hook used to stop Redis at once, and the flush timed out).
          .doesNotContain("series flush failed")
          .doesNotContainPattern(STACK_FRAME);
    }
    // The clean exit removed the unpacked binary; a JVM that was killed leaves it, and the next
    // start unpacks over it.
    Path redisBin = home.resolve("redis/bin");
    assertThat(redisBin).isEmptyDirectory();
    Files.writeString(redisBin.resolve("redis-server-6.2.6-v5-linux-amd64"), "left by a kill");

    try (StandaloneProcess again = StandaloneProcess.start(home, Map.of())) {
      assertThat(again.awaitHealthy(START_LIMIT)).isEqualTo("{\"status\":\"UP\"}");
      assertThat(again.bannerValue("demo tenant key")).contains(demoKey);
      assertThat(tenantNames(home)).containsExactly("demo");
      assertThat(EmbeddedCredentialsIT.secret(home, "postgres-password"))
          .as("reused")
          .isEqualTo(pgPassword);
      assertThat(EmbeddedCredentialsIT.secret(home, "redis-password"))
          .as("reused")
          .isEqualTo(redisPassword);
      EmbeddedCredentialsIT.assertPasswordsRequired(again, pgPassword, redisPassword);
      EmbeddedCredentialsIT.assertPrivate(home);
      assertThat(again.terminate(Duration.ofSeconds(60))).isIn(0, 143);
    }
  }

  @Test
  void usesExternalPostgresAndRedisWhenTheirUrlsAreGiven() throws Exception {
    int redisPort = StandaloneProcess.freePort();
    RedisServer redis = TestRedis.on(redisPort);
    redis.start();
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("external-pg")).start()) {
      Path home = tmp.resolve("home-external");
      Map<String, String> env =
          Map.of(
              "ZEROSCALE_POSTGRES_URL",
              "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres",
              "ZEROSCALE_REDIS_URL",
              "redis://127.0.0.1:" + redisPort,
              "ZEROSCALE_ADMIN_KEY",
              ADMIN_KEY);
      try (StandaloneProcess app = StandaloneProcess.start(home, env)) {
        assertThat(app.awaitHealthy(START_LIMIT)).isEqualTo("{\"status\":\"UP\"}");
        assertThat(home.resolve("postgres")).doesNotExist();
        assertThat(home.resolve("admin-key")).doesNotExist();
        assertThat(app.output())
            .contains("admin key       : from ZEROSCALE_ADMIN_KEY")
            .doesNotContain(ADMIN_KEY);
        try (Connection c = pg.getPostgresDatabase().getConnection();
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT name FROM tenants")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("demo");
        }
        assertThat(app.terminate(Duration.ofSeconds(60))).isIn(0, 143);
      }
      assertThat(redis.isActive()).as("an external Redis is not ours to stop").isTrue();
    } finally {
      redis.stop();
    }
  }

  /** The app's JVM, its child processes (Redis), and the postmaster (pg_ctl detaches it). */
  private static List<ProcessHandle> startedProcesses(StandaloneProcess app, Path home)
      throws Exception {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(app.process.toHandle());
    app.process.descendants().forEach(all::add);
    long postmaster =
        Long.parseLong(Files.readAllLines(home.resolve("postgres/postmaster.pid")).get(0).strip());
    Optional<ProcessHandle> pm = ProcessHandle.of(postmaster);
    pm.ifPresent(all::add);
    pm.ifPresent(p -> p.descendants().forEach(all::add));
    return all;
  }

  private static List<String> errorLines(String log) {
    return ERROR_LINE.matcher(log).results().map(MatchResult::group).toList();
  }

  private static List<String> tenantNames(Path home) throws Exception {
    List<String> lines = Files.readAllLines(home.resolve("postgres/postmaster.pid"));
    String port = lines.get(3).strip();
    List<String> names = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/zeroscale",
                "postgres",
                Files.readString(home.resolve("postgres-password")).strip());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM tenants ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
