package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.gateway.model.hub.StandInHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.embedded.RedisServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One standalone JVM (the built jar) on a PostgreSQL, a Redis and a stand-in Hugging Face hub
 * started by the test, so that the test can read the database and Redis behind the app: the set-up
 * of the single-gateway end-to-end ITs. The hub knows Llama-2-7B.
 */
final class StandaloneStack implements AutoCloseable {

  final StandInHub hub;
  final RedisServer redisServer;
  final EmbeddedPostgres pg;
  final StandaloneProcess app;
  final ApiClient api;
  final RedissonClient redis;

  private StandaloneStack(
      StandInHub hub,
      RedisServer redisServer,
      EmbeddedPostgres pg,
      StandaloneProcess app,
      RedissonClient redis) {
    this.hub = hub;
    this.redisServer = redisServer;
    this.pg = pg;
    this.app = app;
    this.api = new ApiClient(app.port);
    this.redis = redis;
  }

  /**
   * Starts the servers and the app with {@code args}, and waits until it is healthy.
   *
   * @param dir where PostgreSQL's data and the app's home go
   */
  static StandaloneStack start(Path dir, String adminKey, List<String> args) throws IOException {
    return start(dir, adminKey, args, Map.of());
  }

  /**
   * As {@link #start(Path, String, List)}, with more environment for the app (e.g. a platform
   * {@code HF_TOKEN} that must not reach its instances).
   */
  static StandaloneStack start(
      Path dir, String adminKey, List<String> args, Map<String, String> extraEnv)
      throws IOException {
    StandInHub hub = StandInHub.start();
    hub.add(StandInHub.LLAMA_7B);
    int redisPort = StandaloneProcess.freePort();
    RedisServer redisServer = TestRedis.on(redisPort);
    redisServer.start();
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
    Map<String, String> env = new HashMap<>(extraEnv);
    env.putAll(
        Map.of(
            "ZEROSCALE_POSTGRES_URL",
            "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres",
            "ZEROSCALE_REDIS_URL",
            "redis://127.0.0.1:" + redisPort,
            "ZEROSCALE_ADMIN_KEY",
            adminKey,
            "ZEROSCALE_HUB_URL",
            hub.baseUrl().toString()));
    StandaloneProcess app = StandaloneProcess.start(dir.resolve("home"), env, args);
    try {
      app.awaitHealthy(Duration.ofSeconds(180));
    } catch (RuntimeException | Error e) {
      // Nothing is left running for a start that failed: no class's @AfterAll would stop it.
      app.close();
      redisServer.stop();
      pg.close();
      hub.close();
      throw e;
    }
    Config config = new Config();
    config.useSingleServer().setAddress("redis://127.0.0.1:" + redisPort);
    return new StandaloneStack(hub, redisServer, pg, app, Redisson.create(config));
  }

  /** SIGTERM to the app (which stops every instance it started), then the servers. */
  @Override
  public void close() throws Exception {
    try {
      assertThat(app.terminate(Duration.ofSeconds(90))).isIn(0, 143);
    } finally {
      redis.shutdown();
      redisServer.stop();
      pg.close();
      hub.close();
    }
  }

  /**
   * SIGKILL to the app and the instances it started, then the servers stopped: for a JVM that is
   * exiting, where a graceful stop would outlast the time the test runner gives it.
   */
  void kill() throws IOException {
    app.close();
    redis.shutdown();
    redisServer.stop();
    pg.close();
    hub.close();
  }

  /**
   * The published endpoint record (Redis) of the deployment's first ready instance, waited for up
   * to 60 s: its url and the engine key the gateway sends.
   */
  JsonNode readyEndpoint(String deploymentId) {
    JsonMapper json = JsonMapper.builder().build();
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Map<String, String> all =
                  redis
                      .<String, String>getMap(
                          RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
                      .readAllMap();
              for (String v : all.values()) {
                JsonNode n = json.readTree(v);
                if ("ready".equals(n.path("state").asString())) {
                  found[0] = n;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }
}
