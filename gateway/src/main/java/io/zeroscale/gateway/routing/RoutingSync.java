package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.api.json.InstanceJson;
import io.zeroscale.api.redis.Demand;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps this gateway's in-memory routing state in step with Redis, and tells Redis what this
 * gateway sees:
 *
 * <ul>
 *   <li>deployments and instances: pub/sub for changes as they happen, plus a full resync every
 *       {@code resync} (and on every re-subscription), so a missed message heals;
 *   <li>fleet membership: a heartbeat every {@code heartbeat} into a sorted set scored by expiry (3
 *       heartbeats), from which every gateway derives the same ranks and slot shares;
 *   <li>demand: queued and in-flight per deployment, per gateway, with an expiry, for the
 *       autoscaler; a dead gateway's figures vanish by themselves.
 * </ul>
 *
 * <p>Failure policy: a Redis outage leaves every mirror as it was, so warm traffic keeps flowing to
 * the instances already known; errors are logged at most once per 30 s. Redis keeps no data across
 * a restart, so a resync that finds a deployment or a deployment's instances missing does not drop
 * them at once: only after {@link #MISSING_RESYNCS} consecutive resyncs, which gives the control
 * plane (its sweeper) and the activator time to republish. Deletions published on the channels
 * apply at once.
 */
public final class RoutingSync implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RoutingSync.class);
  private static final long QUIET_LOG_MS = 30_000;

  private final RedissonClient redisson;
  private final JsonMapper json;
  private final DeploymentDirectory deployments;
  private final InstanceDirectory instances;
  private final Routing routing;
  private final String gatewayId;
  private final Clock clock;
  private final Duration heartbeat;
  private final Duration resync;
  private final Map<String, Boolean> demandPublished = new ConcurrentHashMap<>();
  private final Map<String, Long> lastWakeUp = new ConcurrentHashMap<>();
  private final Duration grace;
  private final Map<String, Long> missingDeploymentsSince = new ConcurrentHashMap<>();
  private final Map<String, Long> missingInstancesSince = new ConcurrentHashMap<>();
  private final List<Disposable> tasks = new ArrayList<>();
  private volatile long lastErrorLog;
  private volatile boolean running;
  private volatile boolean subscribed;

  public RoutingSync(
      RedissonClient redisson,
      JsonMapper json,
      DeploymentDirectory deployments,
      InstanceDirectory instances,
      Routing routing,
      String gatewayId,
      Clock clock,
      Duration heartbeat,
      Duration resync,
      Duration grace) {
    this.redisson = redisson;
    this.json = json;
    this.deployments = deployments;
    this.instances = instances;
    this.routing = routing;
    this.gatewayId = gatewayId;
    this.clock = clock;
    this.heartbeat = heartbeat;
    this.resync = resync;
    this.grace = grace;
  }

  public String gatewayId() {
    return gatewayId;
  }

  @Override
  public void start() {
    subscribe();
    // Start-up waits for the first full picture (bounded), so the first requests find their
    // deployments; this runs on the main thread, not an event loop.
    resync(false)
        .then(heartbeat())
        .timeout(Duration.ofSeconds(10))
        .onErrorResume(e -> Mono.empty())
        .toFuture()
        .orTimeout(15, TimeUnit.SECONDS)
        .exceptionally(e -> null)
        .join();
    tasks.add(
        every(
            resync,
            () -> {
              if (!subscribed) {
                subscribe();
              }
              return resync(true);
            }));
    tasks.add(every(heartbeat, () -> heartbeat().then(publishDemand())));
    running = true;
  }

  /**
   * Subscribes to the deployment and instance channels. If Redis is down when the gateway starts,
   * the subscription fails; each periodic resync then tries again until it succeeds (Redisson
   * re-subscribes by itself after later reconnections). Applying a message twice is harmless.
   */
  private void subscribe() {
    RTopic deploymentTopic =
        redisson.getTopic(RedisSchema.DEPLOYMENT_CHANGED, StringCodec.INSTANCE);
    RTopic instanceTopic = redisson.getTopic(RedisSchema.INSTANCE_CHANGED, StringCodec.INSTANCE);
    deploymentTopic
        .addListenerAsync(String.class, (ch, msg) -> onDeployment(msg))
        .thenCompose(
            id -> instanceTopic.addListenerAsync(String.class, (ch, msg) -> onInstance(msg)))
        .thenCompose(
            id ->
                deploymentTopic.addListenerAsync(
                    new BaseStatusListener() {
                      @Override
                      public void onSubscribe(String channel) {
                        resync(false).subscribe();
                      }
                    }))
        .whenComplete(
            (id, error) -> {
              if (error == null) {
                subscribed = true;
              } else {
                deploymentTopic.removeAllListenersAsync();
                instanceTopic.removeAllListenersAsync();
                quiet("subscribe to deployment and instance changes", error).subscribe();
              }
            });
  }

  /**
   * Runs {@code work} every {@code period}, one at a time. A tick that comes while the previous run
   * is still going is dropped (without it, {@code Flux.interval} fails on the overflow and the loop
   * ends for good); each run is cut off after a period; errors never end the loop.
   */
  private Disposable every(Duration period, java.util.function.Supplier<Mono<Void>> work) {
    return Flux.interval(period, period, Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(
            t ->
                Mono.defer(work)
                    .timeout(period)
                    .onErrorResume(e -> quiet("run a periodic task", e)),
            1)
        .subscribe();
  }

  @Override
  public void stop() {
    tasks.forEach(Disposable::dispose);
    tasks.clear();
    running = false;
    // Leave the fleet at once so the others take our share of every instance now.
    redisson
        .reactive()
        .getScoredSortedSet(RedisSchema.GATEWAYS, StringCodec.INSTANCE)
        .remove(gatewayId)
        .timeout(Duration.ofSeconds(2))
        .onErrorResume(e -> Mono.empty())
        .toFuture()
        .exceptionally(e -> null)
        .join();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stop after the web server has drained (it stops in a later phase by default). */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 2048;
  }

  /**
   * Tells the activator at once that requests wait for a deployment with no ready instance, at most
   * once a second per deployment from this gateway.
   */
  public void wakeUp(String deploymentId) {
    wakeUp(deploymentId, null);
  }

  /**
   * {@link #wakeUp(String)}, carrying the W3C {@code traceparent} of the waiting request's hold
   * span when it is traced: the message is then {@code "<deployment id> <traceparent>"} (ids hold
   * no space), and the activator's boot span becomes that span's child.
   */
  public void wakeUp(String deploymentId, String traceparent) {
    long now = clock.millis();
    Long last = lastWakeUp.get(deploymentId);
    if (last != null && now - last < 1000) {
      return;
    }
    lastWakeUp.put(deploymentId, now);
    redisson
        .reactive()
        .getTopic(RedisSchema.WAKE_UP, StringCodec.INSTANCE)
        .publish(traceparent == null ? deploymentId : deploymentId + " " + traceparent)
        .then()
        .onErrorResume(e -> quiet("publish a wake-up", e))
        .subscribe();
  }

  private void onDeployment(String message) {
    try {
      DeploymentSpec spec = DeploymentSpecJson.read(json, message);
      deployments.apply(spec);
      if (!DeploymentDirectory.isGone(spec.status())) {
        syncInstances(spec.id(), false).subscribe();
      }
    } catch (RuntimeException e) {
      log.warn("Ignoring a malformed deployment publication: {}", e.toString());
    }
  }

  private void onInstance(String message) {
    try {
      Object parsed = InstanceJson.read(json, message);
      if (parsed instanceof InstanceEndpoint e) {
        instances.apply(e);
      } else if (parsed instanceof InstanceJson.Removed r) {
        instances.remove(r.deploymentId(), r.id());
      }
    } catch (RuntimeException e) {
      log.warn("Ignoring a malformed instance publication: {}", e.toString());
    }
  }

  /**
   * Reads every deployment and its instances from Redis. Only {@code periodic} runs count towards
   * dropping what is missing, so a burst of re-subscriptions cannot shorten the grace.
   */
  Mono<Void> resync(boolean periodic) {
    return readAll(RedisSchema.DEPLOYMENTS, "deployment", v -> DeploymentSpecJson.read(json, v))
        .map(
            specs -> {
              long now = clock.millis();
              for (String id : deployments.applyAll(specs)) {
                if (periodic && missingPastGrace(missingDeploymentsSince, id, now)) {
                  missingDeploymentsSince.remove(id);
                  deployments.remove(id);
                }
              }
              specs.forEach(spec -> missingDeploymentsSince.remove(spec.id()));
              return specs;
            })
        .flatMapMany(Flux::fromIterable)
        .filter(spec -> !DeploymentDirectory.isGone(spec.status()))
        .flatMap(spec -> syncInstances(spec.id(), periodic), 8)
        .then()
        .onErrorResume(e -> quiet("resync deployments", e));
  }

  private Mono<Void> syncInstances(String deploymentId, boolean periodic) {
    return readAll(
            RedisSchema.instances(deploymentId),
            "instance",
            v -> InstanceJson.read(json, v) instanceof InstanceEndpoint e ? e : null)
        .doOnNext(
            list -> {
              boolean heldSome = !instances.of(deploymentId).isEmpty();
              if (list.isEmpty() && heldSome) {
                // All of them gone at once looks like a Redis that restarted empty.
                if (!periodic
                    || !missingPastGrace(missingInstancesSince, deploymentId, clock.millis())) {
                  return;
                }
              }
              missingInstancesSince.remove(deploymentId);
              instances.replace(deploymentId, list);
            })
        .then()
        .onErrorResume(e -> quiet("resync instances", e));
  }

  /**
   * The values of a Redis hash, each parsed (null: skipped); a malformed one is logged, skipped.
   */
  private <T> Mono<List<T>> readAll(String hash, String what, Function<String, T> parse) {
    return redisson
        .reactive()
        .<String, String>getMap(hash, StringCodec.INSTANCE)
        .readAllValues()
        .map(
            values -> {
              List<T> parsed = new ArrayList<>();
              for (String v : values) {
                try {
                  T t = parse.apply(v);
                  if (t != null) {
                    parsed.add(t);
                  }
                } catch (RuntimeException e) {
                  log.warn("Ignoring a malformed {} in Redis: {}", what, e.toString());
                }
              }
              return parsed;
            });
  }

  /** Whether {@code id}, missing since the first time this was asked, is missing past the grace. */
  private boolean missingPastGrace(Map<String, Long> missingSince, String id, long now) {
    return now - missingSince.computeIfAbsent(id, k -> now) >= grace.toMillis();
  }

  Mono<Void> heartbeat() {
    long now = clock.millis();
    var set = redisson.reactive().getScoredSortedSet(RedisSchema.GATEWAYS, StringCodec.INSTANCE);
    return set.add(now + 3 * heartbeat.toMillis(), gatewayId)
        .then(set.removeRangeByScore(0, true, now, true))
        .then(set.valueRange(now, false, Double.POSITIVE_INFINITY, true))
        .doOnNext(
            live -> {
              List<String> ids = new ArrayList<>();
              live.forEach(o -> ids.add(String.valueOf(o)));
              ids.sort(null);
              int rank = ids.indexOf(gatewayId);
              if (rank >= 0) {
                routing.membership(ids.size(), rank);
              }
            })
        .then()
        .onErrorResume(e -> quiet("heartbeat", e));
  }

  Mono<Void> publishDemand() {
    long now = clock.millis();
    return Flux.fromIterable(routing.queues().entrySet())
        .flatMap(
            entry -> {
              DeploymentQueue q = entry.getValue();
              int queued = q.queued();
              int inFlight = q.inFlight();
              boolean idle = queued == 0 && inFlight == 0;
              // Publish while busy, and once more when it goes idle, then stay quiet.
              if (idle && Boolean.FALSE.equals(demandPublished.get(entry.getKey()))) {
                return Mono.empty();
              }
              demandPublished.put(entry.getKey(), !idle);
              String body = new Demand(queued, inFlight, Instant.ofEpochMilli(now)).write(json);
              return redisson
                  .reactive()
                  .<String>getBucket(
                      RedisSchema.demand(entry.getKey(), gatewayId), StringCodec.INSTANCE)
                  .set(body, Duration.ofMillis(5 * heartbeat.toMillis()));
            })
        .then()
        .onErrorResume(e -> quiet("publish demand", e));
  }

  private Mono<Void> quiet(String what, Throwable e) {
    long now = System.currentTimeMillis();
    if (now - lastErrorLog > QUIET_LOG_MS) {
      lastErrorLog = now;
      log.warn("Redis unavailable ({}): could not {}; routing from memory", e.toString(), what);
    }
    return Mono.empty();
  }
}
