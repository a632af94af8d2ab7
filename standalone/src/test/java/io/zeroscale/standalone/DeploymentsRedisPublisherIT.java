package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.gateway.deployment.RedisDeploymentPublisher;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.embedded.RedisServer;

/**
 * The deployment publisher's Lua script on a real Redis: hash and channel written together, never
 * back in version (out-of-order publications from two gateways), no republication of an unchanged
 * spec, removal publishes the deleted spec.
 */
class DeploymentsRedisPublisherIT {

  private static RedisServer redis;
  private static RedissonClient client;
  private static RedisDeploymentPublisher publisher;
  private static final List<DeploymentSpec> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    int port = StandaloneProcess.freePort();
    redis = TestRedis.on(port);
    redis.start();
    Config config = new Config();
    config.useSingleServer().setAddress("redis://127.0.0.1:" + port);
    client = Redisson.create(config);
    client
        .getTopic(RedisSchema.DEPLOYMENT_CHANGED, StringCodec.INSTANCE)
        .addListener(
            String.class, (ch, msg) -> received.add(DeploymentSpecJson.read(ApiClient.JSON, msg)));
    publisher = new RedisDeploymentPublisher(client.reactive(), ApiClient.JSON);
  }

  @AfterAll
  static void stop() throws Exception {
    client.shutdown();
    redis.stop();
  }

  @BeforeEach
  void clean() {
    hash().delete();
    received.clear();
  }

  private static DeploymentSpec spec(
      String id, long version, int maxInstances, DeploymentStatus status) {
    return new DeploymentSpec(
        id,
        "t1",
        "acme",
        "chat",
        Family.LLM,
        "hf://o/m@main",
        "A100-80GB",
        1,
        64,
        new ScalingSettings(0, maxInstances, 300, 900, 1000, 0.7, 60, true),
        status,
        null,
        version,
        1,
        EngineOptions.NONE,
        1);
  }

  private static RMap<String, String> hash() {
    return client.getMap(RedisSchema.DEPLOYMENTS, StringCodec.INSTANCE);
  }

  private static DeploymentSpec stored(String id) {
    String json = hash().get(id);
    return json == null ? null : DeploymentSpecJson.read(ApiClient.JSON, json);
  }

  @Test
  void writesAndPublishesAndNeverGoesBackInVersion() {
    DeploymentSpec v1 = spec("d1", 1, 1, DeploymentStatus.PENDING);
    DeploymentSpec v2 = spec("d1", 2, 3, DeploymentStatus.PENDING);
    publisher.changed(v1).block(Duration.ofSeconds(5));
    publisher.changed(v2).block(Duration.ofSeconds(5));
    // A gateway whose commit came first publishes last: it must not win.
    publisher.changed(v1).block(Duration.ofSeconds(5));
    // The sweeper republishing what is stored changes nothing.
    publisher.changed(v2).block(Duration.ofSeconds(5));
    assertThat(stored("d1")).isEqualTo(v2);
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() >= 2);
    publisher.changed(spec("d9", 1, 1, DeploymentStatus.PENDING)).block(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() >= 3);
    assertThat(received).as("in order, once each").startsWith(v1, v2).hasSize(3);
    assertThat(publisher.publishedIds().block(Duration.ofSeconds(5))).isEqualTo(Set.of("d1", "d9"));
  }

  @Test
  void removalDropsTheFieldAndPublishesTheDeletedSpecAndForgetIsSilent() {
    publisher.changed(spec("d2", 3, 1, DeploymentStatus.DELETING)).block(Duration.ofSeconds(5));
    DeploymentSpec deleted = spec("d2", 4, 1, DeploymentStatus.DELETED);
    publisher.removed(deleted).block(Duration.ofSeconds(5));
    assertThat(stored("d2")).isNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> received.contains(deleted));

    publisher.changed(spec("d3", 1, 1, DeploymentStatus.PENDING)).block(Duration.ofSeconds(5));
    publisher.forget(List.of("d3")).block(Duration.ofSeconds(5));
    assertThat(hash().isEmpty()).isTrue();
    // A sentinel after the silent forget: had forget published, it would arrive before it.
    DeploymentSpec sentinel = spec("d4", 1, 1, DeploymentStatus.PENDING);
    publisher.changed(sentinel).block(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> received.contains(sentinel));
    assertThat(received).hasSize(4).endsWith(sentinel);
  }
}
