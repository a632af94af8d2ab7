package io.zeroscale.standalone;

import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.json.InstanceJson;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes instances in Redis through the same schema the activator uses ({@link RedisSchema}), so
 * that tests can put simulator processes behind the gateway before the activator exists.
 */
final class InstanceRegistry implements AutoCloseable {

  private final RedissonClient redisson;
  private final JsonMapper json = JsonMapper.builder().build();
  private long version;

  InstanceRegistry(int redisPort) {
    Config config = new Config();
    config.useSingleServer().setAddress("redis://127.0.0.1:" + redisPort);
    this.redisson = Redisson.create(config);
  }

  void publish(String deploymentId, String instanceId, String url, InstanceEndpoint.State state) {
    InstanceEndpoint e = new InstanceEndpoint(instanceId, deploymentId, url, state, ++version);
    String text = InstanceJson.write(json, e);
    redisson
        .<String, String>getMap(RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
        .put(instanceId, text);
    redisson.getTopic(RedisSchema.INSTANCE_CHANGED, StringCodec.INSTANCE).publish(text);
  }

  void remove(String deploymentId, String instanceId) {
    redisson
        .<String, String>getMap(RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
        .remove(instanceId);
    redisson
        .getTopic(RedisSchema.INSTANCE_CHANGED, StringCodec.INSTANCE)
        .publish(InstanceJson.removed(json, deploymentId, instanceId));
  }

  /** The demand figures gateways published for a deployment (one JSON text per live gateway). */
  java.util.List<String> demand(String deploymentId) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String key :
        redisson.getKeys().getKeysByPattern(RedisSchema.demandPattern(deploymentId))) {
      Object v = redisson.getBucket(key, StringCodec.INSTANCE).get();
      if (v != null) {
        out.add(v.toString());
      }
    }
    return out;
  }

  /** Gateways whose heartbeat has not expired. */
  int liveGateways() {
    return redisson
        .getScoredSortedSet(RedisSchema.GATEWAYS, StringCodec.INSTANCE)
        .valueRange(System.currentTimeMillis(), false, Double.POSITIVE_INFINITY, true)
        .size();
  }

  /** The id of the activator holding the leader lease, or null when nobody holds it. */
  String activatorLeader() {
    Object v = redisson.getBucket(RedisSchema.ACTIVATOR_LEADER, StringCodec.INSTANCE).get();
    return v == null ? null : v.toString();
  }

  /** The instance ids published as endpoints of a deployment. */
  java.util.Set<String> endpoints(String deploymentId) {
    return redisson
        .<String, String>getMap(RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
        .readAllKeySet();
  }

  @Override
  public void close() {
    redisson.shutdown();
  }
}
