package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.api.redis.DeploymentCredentials;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.redisson.api.RScript;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link DeploymentPublisher} on Redis. One Lua script writes the hash field and publishes in one
 * atomic step, and refuses to go back in version: two gateways publishing the same deployment's
 * changes out of order (the newer commit's publication arriving first) leave the newer spec. An
 * unchanged spec (the sweeper's resync) is neither written nor published again.
 */
public final class RedisDeploymentPublisher implements DeploymentPublisher {

  /**
   * KEYS[1] hash; ARGV: [1] field, [2] spec JSON, [3] version, [4] 'set' or 'remove', [5] channel.
   * Answers 1 when it wrote and published, 0 when it dropped a stale or identical spec.
   */
  static final String SCRIPT =
      """
      local cur = redis.call('HGET', KEYS[1], ARGV[1])
      if cur == ARGV[2] then
        return 0
      end
      if cur then
        local ok, old = pcall(cjson.decode, cur)
        if ok and type(old) == 'table' and tonumber(old['version']) ~= nil
            and tonumber(old['version']) > tonumber(ARGV[3]) then
          return 0
        end
      end
      if ARGV[4] == 'remove' then
        redis.call('HDEL', KEYS[1], ARGV[1])
      else
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      end
      redis.call('PUBLISH', ARGV[5], ARGV[2])
      return 1
      """;

  private final RedissonReactiveClient redis;
  private final JsonMapper json;

  public RedisDeploymentPublisher(RedissonReactiveClient redis, JsonMapper json) {
    this.redis = redis;
    this.json = json;
  }

  @Override
  public Mono<Void> changed(DeploymentSpec spec) {
    return run(spec, "set");
  }

  @Override
  public Mono<Void> removed(DeploymentSpec spec) {
    return run(spec, "remove");
  }

  @Override
  public Mono<Set<String>> publishedIds() {
    return redis
        .<String, String>getMap(RedisSchema.DEPLOYMENTS, StringCodec.INSTANCE)
        .readAllKeySet();
  }

  @Override
  public Mono<Void> forget(Collection<String> ids) {
    return remove(RedisSchema.DEPLOYMENTS, ids);
  }

  @Override
  public Mono<Void> credentials(String deploymentId, DeploymentCredentials credentials) {
    return redis
        .<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE)
        .fastPut(deploymentId, credentials.write(json))
        .then();
  }

  @Override
  public Mono<Map<String, DeploymentCredentials>> publishedCredentials() {
    return redis
        .<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE)
        .readAllMap()
        .map(
            all -> {
              Map<String, DeploymentCredentials> out = new HashMap<>();
              all.forEach(
                  (id, text) -> {
                    DeploymentCredentials c;
                    try {
                      c = DeploymentCredentials.read(json, text);
                    } catch (IllegalArgumentException e) {
                      c = null;
                    }
                    out.put(id, c);
                  });
              return out;
            });
  }

  @Override
  public Mono<Void> forgetCredentials(Collection<String> ids) {
    return remove(RedisSchema.CREDENTIALS, ids);
  }

  /** Removes the entries {@code ids} from hash {@code key}; nothing to do for none. */
  private Mono<Void> remove(String key, Collection<String> ids) {
    if (ids.isEmpty()) {
      return Mono.empty();
    }
    return redis
        .<String, String>getMap(key, StringCodec.INSTANCE)
        .fastRemove(ids.toArray(String[]::new))
        .then();
  }

  private Mono<Void> run(DeploymentSpec spec, String op) {
    String text = DeploymentSpecJson.write(json, spec);
    return redis
        .getScript(StringCodec.INSTANCE)
        .<Long>eval(
            RScript.Mode.READ_WRITE,
            SCRIPT,
            RScript.ReturnType.LONG,
            List.<Object>of(RedisSchema.DEPLOYMENTS),
            spec.id(),
            text,
            Long.toString(spec.version()),
            op,
            RedisSchema.DEPLOYMENT_CHANGED)
        .then();
  }
}
