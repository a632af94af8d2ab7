package io.zeroscale.standalone;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.embedded.RedisServer;

/**
 * Two gateway processes (the standalone jar) sharing one PostgreSQL and one Redis started here, as
 * two replicas behind a load balancer would: the set-up of the multi-gateway ITs.
 */
final class GatewayFleet implements AutoCloseable {

  final int redisPort;
  final EmbeddedPostgres pg;
  final StandaloneProcess gw1;
  final StandaloneProcess gw2;
  private final String adminKey;
  private RedisServer redis;

  private GatewayFleet(
      int redisPort,
      RedisServer redis,
      EmbeddedPostgres pg,
      StandaloneProcess gw1,
      StandaloneProcess gw2,
      String adminKey) {
    this.redisPort = redisPort;
    this.adminKey = adminKey;
    this.redis = redis;
    this.pg = pg;
    this.gw1 = gw1;
    this.gw2 = gw2;
  }

  /** Starts the servers and both gateways, and waits until both are healthy. */
  static GatewayFleet start(Path dir, String adminKey, Map<String, String> extraEnv)
      throws IOException {
    return start(dir, adminKey, extraEnv, List.of());
  }

  /**
   * @param args extra command-line arguments of both gateways (see {@link StandaloneProcess#start(
   *     Path, Map, List)})
   */
  static GatewayFleet start(
      Path dir, String adminKey, Map<String, String> extraEnv, List<String> args)
      throws IOException {
    int redisPort = StandaloneProcess.freePort();
    RedisServer redis = newRedis(redisPort);
    redis.start();
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put(
        "ZEROSCALE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres");
    env.put("ZEROSCALE_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    env.put("ZEROSCALE_ADMIN_KEY", adminKey);
    StandaloneProcess gw1 = StandaloneProcess.start(dir.resolve("gw1"), env, args);
    StandaloneProcess gw2 = StandaloneProcess.start(dir.resolve("gw2"), env, args);
    try {
      gw1.awaitHealthy(Duration.ofSeconds(90));
      gw2.awaitHealthy(Duration.ofSeconds(90));
    } catch (RuntimeException | Error e) {
      // Nothing is left running for a start that failed: no class's @AfterAll would stop it.
      gw1.close();
      gw2.close();
      redis.stop();
      pg.close();
      throw e;
    }
    return new GatewayFleet(redisPort, redis, pg, gw1, gw2, adminKey);
  }

  /** Creates a key for {@code tenant} with {@code scopes} (a JSON array) and answers its secret. */
  String tenantKey(String tenant, String scopes) {
    ApiClient.Response r =
        new ApiClient(gw1.port)
            .post(
                "/admin/v1/tenants/" + tenant + "/keys",
                adminKey,
                "{\"name\":\"k\",\"scopes\":" + scopes + "}");
    if (r.status() != 201) {
      throw new AssertionError("key creation failed: " + r.status() + " " + r.body());
    }
    return r.json().get("secret").asString();
  }

  /** Stops Redis (its data is gone, as after a real restart without persistence). */
  void stopRedis() throws IOException {
    redis.stop();
  }

  /** Starts an empty Redis on the same port. */
  void startRedis() throws IOException {
    redis = newRedis(redisPort);
    redis.start();
  }

  private static RedisServer newRedis(int port) throws IOException {
    return TestRedis.on(port);
  }

  /**
   * SIGKILL to both gateways, then the servers stopped: for a JVM that is exiting, where a graceful
   * stop would outlast the time the test runner gives it.
   */
  void kill() throws IOException {
    gw1.close();
    gw2.close();
    pg.close();
    redis.stop();
  }

  @Override
  public void close() throws Exception {
    for (StandaloneProcess gw : new StandaloneProcess[] {gw1, gw2}) {
      gw.terminate(Duration.ofSeconds(60));
    }
    pg.close();
    redis.stop();
  }
}
