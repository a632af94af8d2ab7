package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16, the embedded servers' part: from any local process (an instance, another user), the
 * embedded PostgreSQL and Redis refuse a client without the generated passwords, the files under
 * {@code ZEROSCALE_HOME} are their owner's only, the passwords appear in no log, command line or
 * actuator endpoint, and a restart on the same home comes up, including a home that a version
 * before the passwords left (trust authentication, no password files, 0755/0644 modes).
 *
 * <p>Uses Debian's {@code psql} (postgresql-client) and {@code redis-cli} (redis-tools), which
 * {@code .ci/run} installs: without them the test fails and says so, it does not skip.
 */
class EmbeddedCredentialsIT {

  // A new home (its passwords required, its files private, the passwords exposed nowhere, both
  // reused by a restart) is checked with these helpers by StandaloneJarIT, on the two starts of a
  // new home that it makes anyway: the same two starts were made here too before.

  private static final Duration START_LIMIT = Duration.ofSeconds(90);
  private static final Pattern PG_PORT =
      Pattern.compile("Embedded PostgreSQL on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern REDIS_PORT =
      Pattern.compile("Embedded Redis on 127\\.0\\.0\\.1:(\\d+)");
  private static final List<String> SECRET_FILES =
      List.of("admin-key", "demo-api-key", "secret-key", "postgres-password", "redis-password");

  @TempDir Path tmp;

  @Test
  void aHomeLeftByAnOlderVersionIsUpgradedOnItsFirstStart() throws Exception {
    Path home = tmp.resolve("old-home");
    // What a version before the passwords left: zonky's initdb (trust for every role and
    // address), no password files, folders 0755 and keys 0644 (umask 022).
    Files.createDirectories(home.resolve("instances"));
    try (EmbeddedPostgres old =
        EmbeddedPostgres.builder()
            .setDataDirectory(home.resolve("postgres"))
            .setCleanDataDirectory(false)
            .start()) {
      assertThat(Files.readString(home.resolve("postgres/pg_hba.conf"))).contains("trust");
    }
    byte[] aesKey = new byte[32];
    new SecureRandom().nextBytes(aesKey);
    Files.writeString(home.resolve("secret-key"), Base64.getEncoder().encodeToString(aesKey));
    setMode(home, "rwxr-xr-x");
    setMode(home.resolve("instances"), "rwxr-xr-x");
    setMode(home.resolve("secret-key"), "rw-r--r--");

    try (StandaloneProcess app = StandaloneProcess.start(home, Map.of())) {
      app.awaitHealthy(START_LIMIT);
      assertThat(app.output()).contains("upgraded from trust authentication");
      String pgPassword = secret(home, "postgres-password");
      String redisPassword = secret(home, "redis-password");
      assertThat(Files.readString(home.resolve("postgres/pg_hba.conf")))
          .startsWith(PgHba.MARKER)
          .doesNotContain("trust");
      assertPasswordsRequired(app, pgPassword, redisPassword);
      assertPrivate(home);
      assertSecretsNotExposed(app, home, pgPassword, redisPassword);
      assertThat(app.terminate(START_LIMIT)).isIn(0, 143);
    }
  }

  static void assertPasswordsRequired(
      StandaloneProcess app, String pgPassword, String redisPassword) {
    String pgPort = port(app, PG_PORT);
    String redisPort = port(app, REDIS_PORT);
    List<String> psql =
        List.of(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            pgPort,
            "-U",
            "postgres",
            "-d",
            "zeroscale",
            "-w",
            "-At",
            "-c",
            "select 1");

    Run none = run(Map.of(), psql);
    assertThat(none.exit()).as("psql without a password: %s", none.output()).isNotZero();
    assertThat(none.output()).contains("no password supplied");
    Run wrong = run(Map.of("PGPASSWORD", "not-" + pgPassword), psql);
    assertThat(wrong.exit()).as("psql with a wrong password: %s", wrong.output()).isNotZero();
    assertThat(wrong.output()).contains("password authentication failed");
    Run right = run(Map.of("PGPASSWORD", pgPassword), psql);
    assertThat(right.exit()).as("psql with the password: %s", right.output()).isZero();
    assertThat(right.output().strip()).isEqualTo("1");
    // Another role (one an attacker might have created) is not admitted at all.
    List<String> otherRole = new ArrayList<>(psql);
    otherRole.set(otherRole.indexOf("postgres"), "zeroscale");
    Run other = run(Map.of("PGPASSWORD", pgPassword), otherRole);
    assertThat(other.exit()).as("another role: %s", other.output()).isNotZero();

    List<String> redisCli = List.of("redis-cli", "-h", "127.0.0.1", "-p", redisPort, "ping");
    Run anonymous = run(Map.of(), redisCli);
    assertThat(anonymous.output()).as("redis-cli without auth").contains("NOAUTH");
    Run bad = run(Map.of("REDISCLI_AUTH", "not-" + redisPassword), redisCli);
    assertThat(bad.output()).as("redis-cli, wrong password").doesNotContain("PONG");
    Run authed = run(Map.of("REDISCLI_AUTH", redisPassword), redisCli);
    assertThat(authed.output().strip()).as("redis-cli with the password").isEqualTo("PONG");
  }

  /** The home and every entry in it: no access for group or others; the stated modes. */
  static void assertPrivate(Path home) throws IOException {
    assertThat(mode(home)).isEqualTo("rwx------");
    for (String dir : List.of("instances", "redis", "postgres")) {
      assertThat(mode(home.resolve(dir))).as(dir).isEqualTo("rwx------");
    }
    for (String file : SECRET_FILES) {
      assertThat(mode(home.resolve(file))).as(file).isEqualTo("rw-------");
    }
    try (Stream<Path> entries = Files.list(home)) {
      for (Path entry : entries.toList()) {
        assertThat(Files.getPosixFilePermissions(entry))
            .as("%s: nothing for group or others", entry.getFileName())
            .doesNotContainAnyElementsOf(
                Set.of(
                    PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE));
      }
    }
  }

  /**
   * Not in the app's output (its log), not on a command line that {@code ps} shows, and no actuator
   * endpoint that could show configuration is served, even to the admin.
   */
  static void assertSecretsNotExposed(
      StandaloneProcess app, Path home, String pgPassword, String redisPassword)
      throws IOException {
    assertThat(app.output()).doesNotContain(pgPassword).doesNotContain(redisPassword);

    List<ProcessHandle> processes = new ArrayList<>();
    processes.add(app.process.toHandle());
    app.process.descendants().forEach(processes::add);
    long postmaster =
        Long.parseLong(Files.readAllLines(home.resolve("postgres/postmaster.pid")).get(0).strip());
    ProcessHandle.of(postmaster).ifPresent(processes::add);
    assertThat(processes).as("the JVM, Redis and the postmaster").hasSizeGreaterThanOrEqualTo(3);
    for (ProcessHandle p : processes) {
      Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
      if (Files.exists(cmdline)) {
        String args = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
        assertThat(args)
            .as("command line of pid %d", p.pid())
            .doesNotContain(pgPassword)
            .doesNotContain(redisPassword);
      }
    }

    ApiClient api = new ApiClient(app.port);
    String adminKey = secret(home, "admin-key");
    for (String path : List.of("/actuator/env", "/actuator/configprops", "/actuator/heapdump")) {
      ApiClient.Response asAdmin = api.get(path, adminKey);
      assertThat(asAdmin.status()).as("%s with the admin key", path).isNotEqualTo(200);
      assertThat(asAdmin.body()).doesNotContain(pgPassword).doesNotContain(redisPassword);
    }
  }

  private record Run(int exit, String output) {}

  /**
   * Runs a client tool with a clean environment for it (no inherited password, no ~/.pgpass);
   * answers its exit code and merged output. A missing tool fails the test with what to install.
   */
  private static Run run(Map<String, String> env, List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("REDISCLI"));
    e.put("PGPASSFILE", "/dev/null");
    e.put("PGCONNECT_TIMEOUT", "10");
    e.putAll(new HashMap<>(env));
    Process p;
    try {
      p = pb.start();
    } catch (IOException missing) {
      throw new AssertionError(
          command.get(0)
              + " is needed by this test and was not found: install it (Debian: apt-get install -y"
              + " postgresql-client redis-tools; .ci/run does)",
          missing);
    }
    try {
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish within 30 s; output: " + output);
      }
      return new Run(p.exitValue(), output);
    } catch (IOException e1) {
      throw new AssertionError(command + " failed", e1);
    } catch (InterruptedException e1) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e1);
    }
  }

  private static String port(StandaloneProcess app, Pattern logLine) {
    Matcher m = logLine.matcher(app.output());
    assertThat(m.find()).as("log line %s in:%n%s", logLine, app.output()).isTrue();
    return m.group(1);
  }

  static String secret(Path home, String file) throws IOException {
    return Files.readString(home.resolve(file)).strip();
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void setMode(Path p, String mode) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }
}
