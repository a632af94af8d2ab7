package io.zeroscale.autoscaler.loop;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.api.json.InstanceJson;
import io.zeroscale.api.redis.Demand;
import io.zeroscale.api.redis.DesiredReplicas;
import io.zeroscale.api.redis.LeaderLease;
import io.zeroscale.api.redis.LiveEntry;
import io.zeroscale.api.redis.RedisEntries;
import io.zeroscale.api.scaling.StopOrder;
import io.zeroscale.autoscaler.decider.Capacity;
import io.zeroscale.autoscaler.decider.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.redisson.api.RScript;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** {@link ScalingStore} on Redis ({@link RedisSchema}). */
public final class RedisScalingStore implements ScalingStore {

  private static final Logger log = LoggerFactory.getLogger(RedisScalingStore.class);

  /** HSET only if the field still holds ARGV[2] ('' = absent): a wake-up in between wins. */
  private static final String COMPARE_AND_SET =
      """
      local current = redis.call('HGET', KEYS[1], ARGV[1])
      if (current or '') ~= ARGV[2] then
        return 0
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
      return 1
      """;

  private static final String PUSH_EVENT =
      """
      redis.call('LPUSH', KEYS[1], ARGV[1])
      redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """;

  static final Duration EVENTS_TTL = Duration.ofDays(7);

  private final RedissonReactiveClient redis;
  private final JsonMapper json;
  private final int eventsKept;

  public RedisScalingStore(RedissonReactiveClient redis, JsonMapper json, int eventsKept) {
    this.redis = redis;
    this.json = json;
    this.eventsKept = eventsKept;
  }

  @Override
  public Mono<Boolean> lease(String id, Duration ttl) {
    return script(LeaderLease.TAKE, LeaderLease.AUTOSCALER.keys(), LeaderLease.takeArgs(id, ttl))
        .map(LeaderLease::held);
  }

  @Override
  public Mono<Void> release(String id) {
    return script(LeaderLease.RELEASE, LeaderLease.AUTOSCALER.keys(), LeaderLease.releaseArgs(id))
        .then();
  }

  @Override
  public Mono<Snapshot> read() {
    Mono<Map<String, String>> specs =
        redis.<String, String>getMap(RedisSchema.DEPLOYMENTS, StringCodec.INSTANCE).readAllMap();
    Mono<Map<String, String>> desired =
        redis.<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE).readAllMap();
    Mono<Map<String, String>> live =
        redis.<String, String>getMap(RedisSchema.LIVE, StringCodec.INSTANCE).readAllMap();
    Mono<Collection<String>> gateways =
        redis.<String>getScoredSortedSet(RedisSchema.GATEWAYS, StringCodec.INSTANCE).readAll();
    return Mono.zip(specs, desired, live, gateways)
        .flatMap(
            t -> {
              Map<String, DeploymentSpec> deployments = deployments(t.getT1());
              Map<String, Desired> wanted = desired(t.getT2());
              Map<String, List<Instance>> instances = instances(t.getT3(), deployments);
              return demand(deployments.keySet(), t.getT4())
                  .map(d -> new Snapshot(deployments, wanted, instances, d));
            });
  }

  @Override
  public Mono<Map<String, List<String>>> readyUrls(Collection<String> deploymentIds) {
    return Flux.fromIterable(deploymentIds)
        .flatMap(
            id ->
                redis
                    .<String, String>getMap(RedisSchema.instances(id), StringCodec.INSTANCE)
                    .readAllMap()
                    .map(
                        all ->
                            Map.entry(
                                id,
                                List.copyOf(
                                    RedisEntries.read(
                                            all,
                                            this::acceptingUrl,
                                            // a malformed endpoint is the activator's to repair
                                            (instance, e) -> {})
                                        .values()))),
            8)
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  @Override
  public Mono<Boolean> writeDesired(String deploymentId, String expected, String text) {
    return script(
            COMPARE_AND_SET,
            List.of(RedisSchema.DESIRED),
            deploymentId,
            expected == null ? "" : expected,
            text)
        .map(r -> r == 1L);
  }

  @Override
  public Mono<Void> pushEvent(String deploymentId, String text) {
    return script(
            PUSH_EVENT,
            List.of(RedisSchema.scalingEvents(deploymentId)),
            text,
            Integer.toString(eventsKept),
            Long.toString(EVENTS_TTL.toMillis()))
        .then();
  }

  @Override
  public Mono<Void> addIdlePaid(String deploymentId, double seconds) {
    return redis
        .getScript(StringCodec.INSTANCE)
        .<String>eval(
            RScript.Mode.READ_WRITE,
            "return redis.call('HINCRBYFLOAT', KEYS[1], ARGV[1], ARGV[2])",
            RScript.ReturnType.VALUE,
            List.<Object>of(RedisSchema.IDLE_PAID),
            deploymentId,
            String.format(Locale.ROOT, "%.3f", seconds))
        .then();
  }

  /** The URL of an endpoint that takes new requests; null for any other. */
  private String acceptingUrl(String text) {
    return InstanceJson.read(json, text) instanceof InstanceEndpoint e && e.acceptsNewRequests()
        ? e.url()
        : null;
  }

  private Mono<Long> script(String lua, List<Object> keys, Object... args) {
    return redis
        .getScript(StringCodec.INSTANCE)
        .<Long>eval(RScript.Mode.READ_WRITE, lua, RScript.ReturnType.LONG, keys, args);
  }

  private Map<String, DeploymentSpec> deployments(Map<String, String> all) {
    return DeploymentSpecJson.readAll(
        json,
        all,
        spec -> !spec.status().isGone(),
        (id, e) -> log.warn("Ignoring a malformed deployment {} in Redis: {}", id, e.toString()));
  }

  private Map<String, Desired> desired(Map<String, String> all) {
    return RedisEntries.read(
        all,
        text -> {
          DesiredReplicas d = DesiredReplicas.read(json, text);
          return new Desired(
              text,
              d.replicas(),
              d.reason() == null ? "" : d.reason(),
              d.at(),
              d.decision() == null ? null : d.decision().lastActive());
        },
        (id, e) -> log.warn("Ignoring malformed desired replicas of {}: {}", id, e.toString()));
  }

  /**
   * Instances that count as capacity, from the activator's {@code zs:live} entry ({@link Capacity}:
   * during a rollout, the new revision's and as many old ready ones as the activator's target
   * leaves room for); without its {@code instances} array (an older activator), anonymous ones from
   * the counts.
   */
  private Map<String, List<Instance>> instances(
      Map<String, String> all, Map<String, DeploymentSpec> deployments) {
    Map<String, List<Instance>> out = new HashMap<>();
    RedisEntries.forEach(
        all,
        (id, text) -> {
          DeploymentSpec spec = deployments.get(id);
          out.put(id, capacity(LiveEntry.read(json, text), spec == null ? 0 : spec.revision()));
        },
        (id, e) -> log.warn("Ignoring malformed live state of {}: {}", id, e.toString()));
    return out;
  }

  private static List<Instance> capacity(LiveEntry entry, int revision) {
    List<Capacity.Live> list = new ArrayList<>();
    if (entry.instances() != null) {
      for (LiveEntry.Instance i : entry.instances()) {
        Instance.Phase phase =
            switch (i.phase()) {
              case PENDING -> Instance.Phase.PENDING;
              case STARTING -> Instance.Phase.STARTING;
              case READY -> Instance.Phase.READY;
              default -> null;
            };
        if (phase != null) {
          list.add(new Capacity.Live(new Instance(i.id(), phase, i.scheduledAt()), i.revision()));
        }
      }
    } else {
      List<Instance> anonymous = new ArrayList<>();
      for (int k = 0; k < entry.active(); k++) {
        anonymous.add(new Instance("instance-" + k, Instance.Phase.READY, null));
      }
      return anonymous;
    }
    return Capacity.of(list, revision, entry.desired(), entry.at(), StopOrder.PAID_PERIOD);
  }

  /** Sum of queued + in-flight over the live gateways, with one MGET of deployments × gateways. */
  private Mono<Map<String, Double>> demand(
      Collection<String> deploymentIds, Collection<String> gateways) {
    if (deploymentIds.isEmpty() || gateways.isEmpty()) {
      return Mono.just(Map.of());
    }
    List<String> keys = new ArrayList<>();
    Map<String, String> owner = new HashMap<>();
    for (String d : deploymentIds) {
      for (String g : gateways) {
        String k = RedisSchema.demand(d, g);
        keys.add(k);
        owner.put(k, d);
      }
    }
    return redis
        .getBuckets(StringCodec.INSTANCE)
        .<String>get(keys.toArray(String[]::new))
        .map(
            values -> {
              Map<String, Double> out = new HashMap<>();
              RedisEntries.forEach(
                  values,
                  (k, text) ->
                      out.merge(
                          owner.get(k), (double) Demand.read(json, text).total(), Double::sum),
                  (k, e) -> log.debug("Ignoring malformed demand {}: {}", k, e.toString()));
              return out;
            });
  }
}
