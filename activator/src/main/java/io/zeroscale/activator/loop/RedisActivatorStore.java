package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.InstanceEvent;
import io.zeroscale.activator.reconcile.LiveCounts;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.api.json.InstanceJson;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.redis.DesiredReplicas;
import io.zeroscale.api.redis.LeaderLease;
import io.zeroscale.api.redis.LiveEntry;
import io.zeroscale.api.redis.RedisEntries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link ActivatorStore} on Redis ({@link RedisSchema}): the leader lease, deployments, desired
 * replicas, endpoints, live state and the wake-up topic.
 */
public final class RedisActivatorStore implements ActivatorStore {

  private static final Logger log = LoggerFactory.getLogger(RedisActivatorStore.class);

  /**
   * A wake-up raises desired replicas to ARGV[2] (at least 1, at most max_instances) unless it is
   * already at least that; answers 1 when it raised it.
   */
  private static final String WAKE =
      """
      local current = redis.call('HGET', KEYS[1], ARGV[1])
      if current then
        local replicas = cjson.decode(current)['replicas']
        if replicas and tonumber(replicas) >= tonumber(ARGV[2]) then
          return 0
        end
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
      return 1
      """;

  /**
   * LPUSH of ARGV[3..] (oldest first, so the newest ends at the head), trimmed to ARGV[1] entries,
   * expiring ARGV[2] ms after the last: the autoscaler writes its decisions the same way.
   */
  private static final String PUSH_EVENTS =
      """
      redis.call('LPUSH', KEYS[1], unpack(ARGV, 3))
      redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1
      """;

  /** Entries a deployment's event list keeps, and how long it lives after the last one. */
  static final int EVENTS_KEPT = 100;

  static final Duration EVENTS_TTL = Duration.ofDays(7);

  private final RedissonClient redisson;
  private final RedissonReactiveClient redis;
  private final JsonMapper json;
  private final Credentials credentials;

  public RedisActivatorStore(RedissonClient redisson, JsonMapper json) {
    this(redisson, json, null);
  }

  /**
   * @param secrets opens the tenants' HF tokens of {@code zs:credentials} (the box of {@code
   *     zeroscale.secrets.key}, as the control plane's); null: none opens, instances get none
   */
  public RedisActivatorStore(RedissonClient redisson, JsonMapper json, SecretBox secrets) {
    this.credentials = new Credentials(secrets);
    this.redisson = redisson;
    this.redis = redisson.reactive();
    this.json = json;
  }

  @Override
  public void subscribeWakeUps(Consumer<String> listener) {
    redisson
        .getTopic(RedisSchema.WAKE_UP, StringCodec.INSTANCE)
        .addListener(String.class, (channel, message) -> listener.accept(message));
  }

  /** Takes or extends the leader lease for {@code id}; true when {@code id} leads. */
  @Override
  public Mono<Boolean> lease(String id, Duration ttl) {
    return script(LeaderLease.TAKE, LeaderLease.ACTIVATOR.keys(), LeaderLease.takeArgs(id, ttl))
        .map(LeaderLease::held);
  }

  @Override
  public Mono<Void> release(String id) {
    return script(LeaderLease.RELEASE, LeaderLease.ACTIVATOR.keys(), LeaderLease.releaseArgs(id))
        .then();
  }

  /** Every live deployment (malformed entries are logged and skipped). */
  @Override
  public Mono<Map<String, DeploymentSpec>> deployments() {
    return hash(RedisSchema.DEPLOYMENTS)
        .map(
            all ->
                DeploymentSpecJson.readAll(
                    json,
                    all,
                    spec -> spec.status() != DeploymentStatus.DELETED,
                    (id, e) ->
                        log.warn(
                            "Ignoring a malformed deployment {} in Redis: {}", id, e.toString())));
  }

  @Override
  public Mono<Credentials.Token> token(String deploymentId) {
    return redis
        .<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE)
        .get(deploymentId)
        .map(
            text -> {
              DeploymentCredentials entry;
              try {
                entry = DeploymentCredentials.read(json, text);
              } catch (IllegalArgumentException e) {
                // The message names the field, never its value.
                log.warn(
                    "Ignoring malformed credentials of deployment {}: {}",
                    deploymentId,
                    e.getMessage());
                return Credentials.Token.NONE;
              }
              return credentials.open(deploymentId, entry);
            })
        .switchIfEmpty(Mono.fromSupplier(() -> credentials.open(deploymentId, null)));
  }

  /** Desired replicas per deployment id (missing: none asked for). */
  @Override
  public Mono<Map<String, Integer>> desired() {
    return readHash(
        RedisSchema.DESIRED,
        text -> DesiredReplicas.read(json, text).replicas(),
        "Ignoring malformed desired replicas of {}: {}");
  }

  /** Raises desired replicas from zero to {@code replicas} for a wake-up; true when it did. */
  @Override
  public Mono<Boolean> wake(String deploymentId, int replicas, Instant at) {
    return script(
            WAKE,
            List.of(RedisSchema.DESIRED),
            deploymentId,
            Integer.toString(replicas),
            DesiredReplicas.of(replicas, "wake-up", at).write(json))
        .map(r -> r == 1L);
  }

  /** Every field and value of hash {@code key}, as text. */
  private Mono<Map<String, String>> hash(String key) {
    return redis.<String, String>getMap(key, StringCodec.INSTANCE).readAllMap();
  }

  /**
   * The values {@code read} makes of hash {@code key}'s texts, by field ({@link
   * RedisEntries#read}); an entry it throws on is logged with {@code malformed} (field, reason) and
   * left out.
   */
  private <V> Mono<Map<String, V>> readHash(
      String key, Function<String, V> read, String malformed) {
    return hash(key)
        .map(all -> RedisEntries.read(all, read, (id, e) -> log.warn(malformed, id, e.toString())));
  }

  private Mono<Long> script(String lua, List<Object> keys, Object... args) {
    return redis
        .getScript(StringCodec.INSTANCE)
        .<Long>eval(RScript.Mode.READ_WRITE, lua, RScript.ReturnType.LONG, keys, args);
  }

  @Override
  public Mono<Void> setDesired(String deploymentId, int replicas, String reason, Instant at) {
    return redis
        .<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE)
        .fastPut(deploymentId, DesiredReplicas.of(replicas, reason, at).write(json))
        .then();
  }

  /** The endpoints published for a deployment, by instance id. */
  @Override
  public Mono<Map<String, InstanceEndpoint>> endpoints(String deploymentId) {
    return readHash(
        RedisSchema.instances(deploymentId),
        text -> InstanceJson.read(json, text) instanceof InstanceEndpoint e ? e : null,
        "Ignoring a malformed endpoint {}: {}");
  }

  /** Deployment ids that have an endpoint hash (to clean up after deleted deployments). */
  @Override
  public Flux<String> deploymentsWithEndpoints() {
    String prefix = RedisSchema.instances("");
    return redis.getKeys().getKeysByPattern(prefix + "*").map(k -> k.substring(prefix.length()));
  }

  /** Writes the endpoint and tells every gateway. */
  @Override
  public Mono<Void> publish(InstanceEndpoint e) {
    String text = InstanceJson.write(json, e);
    return redis
        .<String, String>getMap(RedisSchema.instances(e.deploymentId()), StringCodec.INSTANCE)
        .fastPut(e.id(), text)
        .then(redis.getTopic(RedisSchema.INSTANCE_CHANGED, StringCodec.INSTANCE).publish(text))
        .then();
  }

  /** Removes the endpoint and tells every gateway (idempotent). */
  @Override
  public Mono<Void> unpublish(String deploymentId, String instanceId) {
    return redis
        .<String, String>getMap(RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
        .fastRemove(instanceId)
        .then(
            redis
                .getTopic(RedisSchema.INSTANCE_CHANGED, StringCodec.INSTANCE)
                .publish(InstanceJson.removed(json, deploymentId, instanceId)))
        .then();
  }

  @Override
  public Mono<Void> pushEvents(String deploymentId, List<InstanceEvent> events) {
    if (events.isEmpty()) {
      return Mono.empty();
    }
    List<Object> args = new ArrayList<>();
    args.add(Integer.toString(EVENTS_KEPT));
    args.add(Long.toString(EVENTS_TTL.toMillis()));
    for (InstanceEvent e : events) {
      args.add(json.writeValueAsString(e.fields()));
    }
    return script(PUSH_EVENTS, List.of(RedisSchema.scalingEvents(deploymentId)), args.toArray())
        .then();
  }

  /** Replaces the live-state hash with {@code live}, dropping deployments no longer there. */
  @Override
  public Mono<Void> publishLive(Map<String, LiveCounts> live, Instant at) {
    var map = redis.<String, String>getMap(RedisSchema.LIVE, StringCodec.INSTANCE);
    Map<String, String> texts = new HashMap<>();
    live.forEach((id, c) -> texts.put(id, liveEntry(c, at).write(json)));
    return map.readAllKeySet()
        .flatMap(
            (Set<String> keys) -> {
              List<String> stale = new ArrayList<>(keys);
              stale.removeAll(texts.keySet());
              Mono<Void> put = texts.isEmpty() ? Mono.empty() : map.putAll(texts);
              Mono<Void> drop =
                  stale.isEmpty()
                      ? Mono.empty()
                      : map.fastRemove(stale.toArray(String[]::new)).then();
              return put.then(drop);
            });
  }

  /** One deployment's {@code zs:live} entry (the format the autoscaler and gateways read). */
  static LiveEntry liveEntry(LiveCounts c, Instant at) {
    List<LiveEntry.Instance> list = new ArrayList<>();
    for (LiveCounts.LiveInstance i : c.instances()) {
      list.add(
          new LiveEntry.Instance(
              i.id(), i.phase(), i.scheduledAt(), i.revision(), i.gpu(), i.inFlight()));
    }
    return new LiveEntry(c.desired(), c.pending(), c.starting(), c.ready(), c.draining(), at, list);
  }
}
