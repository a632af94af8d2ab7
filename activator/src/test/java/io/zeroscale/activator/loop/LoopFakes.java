package io.zeroscale.activator.loop;

import io.zeroscale.activator.core.BudgetPort;
import io.zeroscale.activator.core.DeploymentStatusPort;
import io.zeroscale.activator.events.EventLog;
import io.zeroscale.activator.events.Heartbeat;
import io.zeroscale.activator.events.HeartbeatLog;
import io.zeroscale.activator.events.InstanceEvent;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.Health;
import io.zeroscale.activator.reconcile.LiveCounts;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.InstanceRuntime;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.redis.DeploymentCredentials;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Hand-made ports for {@link ActivatorLoopTest}: maps instead of Redis, processes and HTTP. */
final class LoopFakes {

  private LoopFakes() {}

  /** Redis as maps: one lease holder, deployments, desired replicas, endpoints, live counts. */
  static final class Store implements ActivatorStore {
    String leaseHolder;
    boolean down;

    /** Only the deployments read fails (the lease and the rest answer). */
    boolean deploymentsDown;

    final Map<String, DeploymentSpec> deployments = new LinkedHashMap<>();
    final Map<String, Integer> desired = new HashMap<>();
    final Map<String, String> desiredReason = new HashMap<>();
    final Map<String, Map<String, InstanceEndpoint>> endpoints = new HashMap<>();

    /** Entries of zs:credentials, opened as RedisActivatorStore does, with {@link #opener}. */
    final Map<String, DeploymentCredentials> credentials = new HashMap<>();

    Credentials opener = new Credentials(null);
    boolean credentialsDown;
    Map<String, LiveCounts> live = Map.of();
    Consumer<String> wakeListener;

    /** The tenant-visible event lists, oldest first per deployment. */
    final Map<String, List<InstanceEvent>> visibleEvents = new HashMap<>();

    /** A gateway's wake-up of the deployment, as the topic would deliver it. */
    void wakeUp(String deploymentId) {
      wakeListener.accept(deploymentId);
    }

    private <T> Mono<T> unlessDown(Mono<T> answer) {
      return down ? Mono.error(new IllegalStateException("Redis is down")) : answer;
    }

    @Override
    public Mono<Boolean> lease(String id, Duration ttl) {
      return unlessDown(
          Mono.fromSupplier(
              () -> {
                if (leaseHolder == null) {
                  leaseHolder = id;
                }
                return id.equals(leaseHolder);
              }));
    }

    @Override
    public Mono<Void> release(String id) {
      return Mono.fromRunnable(
          () -> {
            if (id.equals(leaseHolder)) {
              leaseHolder = null;
            }
          });
    }

    @Override
    public Mono<Map<String, DeploymentSpec>> deployments() {
      if (deploymentsDown) {
        return Mono.error(new IllegalStateException("Redis timed out"));
      }
      return unlessDown(Mono.fromSupplier(() -> Map.copyOf(deployments)));
    }

    @Override
    public Mono<Credentials.Token> token(String deploymentId) {
      if (credentialsDown) {
        return Mono.error(new IllegalStateException("Redis timed out"));
      }
      return unlessDown(
          Mono.fromSupplier(() -> opener.open(deploymentId, credentials.get(deploymentId))));
    }

    @Override
    public Mono<Map<String, Integer>> desired() {
      return unlessDown(Mono.fromSupplier(() -> Map.copyOf(desired)));
    }

    @Override
    public Mono<Boolean> wake(String deploymentId, int replicas, Instant at) {
      return Mono.fromSupplier(
          () -> {
            if (desired.getOrDefault(deploymentId, 0) >= replicas) {
              return false;
            }
            desired.put(deploymentId, replicas);
            desiredReason.put(deploymentId, "wake-up");
            return true;
          });
    }

    @Override
    public Mono<Void> setDesired(String deploymentId, int replicas, String reason, Instant at) {
      return Mono.fromRunnable(
          () -> {
            desired.put(deploymentId, replicas);
            desiredReason.put(deploymentId, reason);
          });
    }

    @Override
    public Mono<Map<String, InstanceEndpoint>> endpoints(String deploymentId) {
      return unlessDown(
          Mono.fromSupplier(() -> Map.copyOf(endpoints.getOrDefault(deploymentId, Map.of()))));
    }

    @Override
    public Flux<String> deploymentsWithEndpoints() {
      return Flux.fromIterable(List.copyOf(endpoints.keySet()));
    }

    @Override
    public Mono<Void> publish(InstanceEndpoint e) {
      return Mono.fromRunnable(
          () -> endpoints.computeIfAbsent(e.deploymentId(), k -> new HashMap<>()).put(e.id(), e));
    }

    @Override
    public Mono<Void> unpublish(String deploymentId, String instanceId) {
      return Mono.fromRunnable(
          () -> endpoints.getOrDefault(deploymentId, new HashMap<>()).remove(instanceId));
    }

    @Override
    public Mono<Void> publishLive(Map<String, LiveCounts> live, Instant at) {
      return Mono.fromRunnable(() -> this.live = Map.copyOf(live));
    }

    @Override
    public Mono<Void> pushEvents(String deploymentId, List<InstanceEvent> events) {
      return unlessDown(
          Mono.fromRunnable(
              () ->
                  visibleEvents
                      .computeIfAbsent(deploymentId, k -> new ArrayList<>())
                      .addAll(events)));
    }

    @Override
    public void subscribeWakeUps(Consumer<String> listener) {
      wakeListener = listener;
    }

    /** The endpoint state of an instance, or null when it is not published. */
    InstanceEndpoint.State endpoint(String deploymentId, String instanceId) {
      InstanceEndpoint e = endpoints.getOrDefault(deploymentId, Map.of()).get(instanceId);
      return e == null ? null : e.state();
    }
  }

  /**
   * A runtime that starts nothing: a launch records the instance as running (or pending, when no
   * GPUs are free) with a URL; tests make instances exit.
   */
  static final class Runtime implements InstanceRuntime {
    final Map<String, RuntimeInstance> instances = new LinkedHashMap<>();
    final List<String> launches = new ArrayList<>();
    final Map<String, InstancePlan> plans = new HashMap<>();
    final List<String> stops = new ArrayList<>();
    final List<String> releases = new ArrayList<>();

    /** What the runtime keeps per deployment (a tenant-token Secret), by deployment id. */
    final Set<String> kept = new TreeSet<>();

    /** Every retainOnly call, with its live set. */
    final List<Set<String>> retains = new ArrayList<>();

    String noCapacity;

    /** When set, a launch errors with it (the runtime's API refused, as Kubernetes can). */
    RuntimeException launchError;

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public Mono<Launch> launch(InstancePlan plan) {
      return Mono.fromSupplier(
          () -> {
            if (launchError != null) {
              throw launchError;
            }
            if (noCapacity != null) {
              return new Launch.NoCapacity(noCapacity);
            }
            String id = plan.instanceId();
            launches.add(id);
            plans.put(id, plan);
            kept.add(plan.deployment().id());
            // Like the process runtime, it keeps the engine key for an adopting activator.
            instances.put(
                id,
                new RuntimeInstance(
                    id,
                    plan.deployment().id(),
                    RuntimeInstance.Phase.RUNNING,
                    url(id),
                    true,
                    null,
                    null,
                    plan.engineKey(),
                    plan.deployment().revision()));
            return new Launch.Accepted(id);
          });
    }

    @Override
    public Mono<List<RuntimeInstance>> list() {
      return Mono.fromSupplier(() -> List.copyOf(instances.values()));
    }

    @Override
    public Mono<Void> stop(String instanceId, Duration grace) {
      return Mono.fromRunnable(
          () -> {
            stops.add(instanceId);
            instances.remove(instanceId);
          });
    }

    @Override
    public Mono<Void> release(String deploymentId) {
      return Mono.fromRunnable(
          () -> {
            releases.add(deploymentId);
            kept.remove(deploymentId);
          });
    }

    @Override
    public Mono<Void> retainOnly(Set<String> liveDeploymentIds) {
      return Mono.fromRunnable(
          () -> {
            retains.add(Set.copyOf(liveDeploymentIds));
            kept.retainAll(liveDeploymentIds);
          });
    }

    /** The instance ends by itself (process exit, container crash). */
    void exit(String instanceId, String detail) {
      RuntimeInstance r = instances.get(instanceId);
      instances.put(
          instanceId,
          RuntimeInstance.notServing(
              instanceId, r.deploymentId(), RuntimeInstance.Phase.EXITED, r.url(), detail));
    }

    /** An instance some earlier activator started, holding GPUs since {@code since}. */
    void running(String instanceId, String deploymentId, Instant since) {
      instances.put(
          instanceId,
          new RuntimeInstance(
              instanceId,
              deploymentId,
              RuntimeInstance.Phase.RUNNING,
              url(instanceId),
              true,
              null,
              since,
              null));
    }

    static String url(String instanceId) {
      return "http://" + instanceId + ".test:8000";
    }
  }

  /** Probes answered from maps: health per URL (down unless set), in-flight per URL. */
  static final class Probe implements HealthProbe {
    final Map<String, Health> health = new HashMap<>();
    final Map<String, OptionalInt> inFlight = new HashMap<>();
    int probes;

    void health(String instanceId, Health h) {
      health.put(Runtime.url(instanceId), h);
    }

    void inFlight(String instanceId, int n) {
      inFlight.put(Runtime.url(instanceId), OptionalInt.of(n));
    }

    @Override
    public Mono<Health> health(String url) {
      probes++;
      return Mono.just(health.getOrDefault(url, Health.DOWN));
    }

    @Override
    public Mono<OptionalInt> inFlight(String url) {
      return Mono.just(inFlight.getOrDefault(url, OptionalInt.empty()));
    }
  }

  /** The ledger's input: every event written, in order. */
  static final class Events implements EventLog {
    final List<LifecycleEvent> written = new ArrayList<>();

    @Override
    public Mono<Void> append(List<LifecycleEvent> events) {
      return Mono.fromRunnable(() -> written.addAll(events));
    }

    /** The types written for an instance, in order. */
    List<LifecycleEvent.Type> of(String instanceId) {
      return written.stream()
          .filter(e -> e.instanceId().equals(instanceId))
          .map(LifecycleEvent::type)
          .toList();
    }
  }

  static final class Heartbeats implements HeartbeatLog {
    final List<List<Heartbeat>> beats = new ArrayList<>();

    @Override
    public Mono<Void> beat(List<Heartbeat> list) {
      return Mono.fromRunnable(() -> beats.add(List.copyOf(list)));
    }
  }

  /** The control plane's status of record: every report, and finalized deletions. */
  static final class Status implements DeploymentStatusPort {
    final List<String> reports = new ArrayList<>();

    @Override
    public Mono<Void> report(String deploymentId, DeploymentStatus status, String reason) {
      return Mono.fromRunnable(
          () -> reports.add(status.wire() + (reason == null ? "" : " (" + reason + ")")));
    }

    @Override
    public Mono<Void> finalizeDeleted(String deploymentId) {
      return Mono.fromRunnable(() -> reports.add("deleted"));
    }

    @Override
    public Mono<Void> rolloutEnded(
        String deploymentId, int revision, boolean succeeded, String reason) {
      return Mono.fromRunnable(
          () ->
              reports.add(
                  "revision "
                      + revision
                      + (succeeded ? " active" : " failed")
                      + (reason == null ? "" : " (" + reason + ")")));
    }

    String last() {
      return reports.isEmpty() ? null : reports.getLast();
    }
  }

  /** A spend limit that allows until told otherwise. */
  static final class Budget implements BudgetPort {
    String refusal;
    String exhausted;
    final List<String> reserved = new ArrayList<>();

    @Override
    public Mono<Answer> reserve(
        String tenantId, String deploymentId, String instanceId, String gpu, int numGpus) {
      if (refusal != null) {
        return Mono.just(Answer.refused(refusal));
      }
      reserved.add(instanceId);
      return Mono.just(Answer.OK);
    }

    @Override
    public Optional<String> exhausted(String tenantId) {
      return Optional.ofNullable(exhausted);
    }
  }
}
