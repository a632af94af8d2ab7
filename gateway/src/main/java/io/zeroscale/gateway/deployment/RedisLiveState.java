package io.zeroscale.gateway.deployment;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.redis.Demand;
import io.zeroscale.api.redis.DesiredReplicas;
import io.zeroscale.api.redis.LiveEntry;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live state from Redis: instance counts from the activator's {@code zs:live} hash, queue depth as
 * the sum of every live gateway's {@code queued} figure ({@code zs:demand:<id>:<gateway>}, which
 * expire with their gateway). Errors propagate: the finalizer must not take "unknown" for "no
 * instances"; the tenant API shows zeros instead ({@link DeploymentService#withLiveState}).
 */
public final class RedisLiveState implements DeploymentLiveState {

  private final RedissonReactiveClient redis;
  private final JsonMapper json;

  public RedisLiveState(RedissonReactiveClient redis, JsonMapper json) {
    this.redis = redis;
    this.json = json;
  }

  @Override
  public Mono<Map<UUID, LiveState>> read(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return Mono.just(Map.of());
    }
    Set<String> keys = ids.stream().map(UUID::toString).collect(Collectors.toSet());
    Mono<Map<String, String>> counts =
        redis.<String, String>getMap(RedisSchema.LIVE, StringCodec.INSTANCE).getAll(keys);
    Mono<Map<String, Long>> queued = queued(keys);
    Mono<Map<String, String>> desired =
        redis.<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE).getAll(keys);
    Mono<Map<String, String>> idlePaid =
        redis.<String, String>getMap(RedisSchema.IDLE_PAID, StringCodec.INSTANCE).getAll(keys);
    return Mono.zip(counts, queued, desired, idlePaid)
        .map(
            t -> {
              Map<UUID, LiveState> out = new HashMap<>();
              for (UUID id : ids) {
                String key = id.toString();
                String text = t.getT1().get(key);
                long depth = t.getT2().getOrDefault(key, 0L);
                LiveState.AutoscalerView view = autoscaler(t.getT3().get(key), t.getT4().get(key));
                out.put(id, parse(text, depth, view));
              }
              return out;
            });
  }

  @Override
  public Mono<List<String>> scalingEvents(UUID id) {
    return redis
        .<String>getList(RedisSchema.scalingEvents(id.toString()), StringCodec.INSTANCE)
        .readAll();
  }

  private LiveState parse(String text, long queueDepth, LiveState.AutoscalerView view) {
    if (text == null) {
      return new LiveState(0, 0, 0, 0, queueDepth, view);
    }
    LiveEntry e = LiveEntry.read(json, text);
    return new LiveState(
        e.desired(),
        e.pending() + e.starting(),
        e.ready(),
        e.draining(),
        queueDepth,
        view,
        LiveState.byRevision(e.instances()));
  }

  /** The latest decision, or null without one; a malformed entry is shown as none. */
  private LiveState.AutoscalerView autoscaler(String desired, String idlePaid) {
    if (desired == null) {
      return null;
    }
    try {
      DesiredReplicas d = DesiredReplicas.read(json, desired);
      double idle = 0;
      if (idlePaid != null) {
        idle = Math.round(Double.parseDouble(idlePaid) * 10) / 10.0;
      }
      return new LiveState.AutoscalerView(
          d.replicas(),
          d.reason(),
          d.at() == null ? 0 : d.at().toEpochMilli(),
          d.decision() == null ? null : d.decision().mode(),
          idle);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Sum of the gateways' queued figures per deployment id. */
  private Mono<Map<String, Long>> queued(Set<String> ids) {
    return Flux.fromIterable(ids)
        .flatMap(
            id ->
                redis
                    .getKeys()
                    .getKeysByPattern(RedisSchema.demandPattern(id))
                    .flatMap(
                        key ->
                            redis
                                .<String>getBucket(key, StringCodec.INSTANCE)
                                .get()
                                .map(this::queuedOf))
                    .reduce(0L, Long::sum)
                    .map(sum -> Map.entry(id, sum)),
            8)
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private long queuedOf(String text) {
    try {
      return Demand.read(json, text).queued();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
