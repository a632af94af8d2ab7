package io.zeroscale.gateway.routing;

import io.zeroscale.api.InstanceEndpoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every deployment's instances (ready or draining), in memory, as the activator publishes them in
 * Redis. Listeners hear the deployment id whose instances changed.
 *
 * <p>Two sources race here: pub/sub messages and periodic snapshots of the Redis hash, and a
 * snapshot may have been read before a message that is applied first. So a snapshot never goes back
 * in time: it does not downgrade an instance held with a newer version, does not bring back an
 * instance removed in the last {@link #TOMBSTONE_NANOS}, and does not drop an instance applied from
 * a message in that same window (the snapshot may simply predate it). Writes are rare and
 * synchronized; reads are lock-free.
 */
public final class InstanceDirectory {

  /** 30 s: three resync periods. */
  static final long TOMBSTONE_NANOS = 30_000_000_000L;

  private record Held(InstanceEndpoint endpoint, long appliedNanos) {}

  private final Map<String, Map<String, Held>> byDeployment = new ConcurrentHashMap<>();
  private final Map<String, Long> removedAt = new HashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final LongSupplier nanoTime;

  public InstanceDirectory(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  public void onChanged(Consumer<String> listener) {
    listeners.add(listener);
  }

  /** Adds or updates an instance unless an equal or newer version is held. */
  public void apply(InstanceEndpoint endpoint) {
    boolean changed;
    synchronized (this) {
      Map<String, Held> instances =
          byDeployment.computeIfAbsent(endpoint.deploymentId(), id -> new ConcurrentHashMap<>());
      Held held = instances.get(endpoint.id());
      changed = held == null || held.endpoint().version() < endpoint.version();
      if (changed) {
        instances.put(endpoint.id(), new Held(endpoint, nanoTime.getAsLong()));
        removedAt.remove(key(endpoint.deploymentId(), endpoint.id()));
      }
    }
    if (changed) {
      notify(endpoint.deploymentId());
    }
  }

  public void remove(String deploymentId, String instanceId) {
    boolean changed;
    synchronized (this) {
      Map<String, Held> instances = byDeployment.get(deploymentId);
      changed = instances != null && instances.remove(instanceId) != null;
      removedAt.put(key(deploymentId, instanceId), nanoTime.getAsLong());
    }
    if (changed) {
      notify(deploymentId);
    }
  }

  /** Merges a snapshot of a deployment's instances (periodic resync); see the class comment. */
  public void replace(String deploymentId, Collection<InstanceEndpoint> snapshot) {
    boolean changed = false;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      removedAt.values().removeIf(t -> now - t > TOMBSTONE_NANOS);
      Map<String, Held> instances =
          byDeployment.computeIfAbsent(deploymentId, id -> new ConcurrentHashMap<>());
      Map<String, InstanceEndpoint> seen = new HashMap<>();
      for (InstanceEndpoint e : snapshot) {
        seen.put(e.id(), e);
        if (removedAt.containsKey(key(deploymentId, e.id()))) {
          continue;
        }
        Held held = instances.get(e.id());
        if (held == null || held.endpoint().version() < e.version()) {
          instances.put(e.id(), new Held(e, now));
          changed = true;
        }
      }
      for (Held held : List.copyOf(instances.values())) {
        boolean recent = now - held.appliedNanos() < TOMBSTONE_NANOS;
        if (!seen.containsKey(held.endpoint().id()) && !recent) {
          instances.remove(held.endpoint().id());
          changed = true;
        }
      }
    }
    if (changed) {
      notify(deploymentId);
    }
  }

  public void forget(String deploymentId) {
    if (byDeployment.remove(deploymentId) != null) {
      notify(deploymentId);
    }
  }

  public List<InstanceEndpoint> of(String deploymentId) {
    Map<String, Held> instances = byDeployment.get(deploymentId);
    return instances == null ? List.of() : instances.values().stream().map(Held::endpoint).toList();
  }

  private static String key(String deploymentId, String instanceId) {
    return deploymentId + "/" + instanceId;
  }

  private void notify(String deploymentId) {
    listeners.forEach(l -> l.accept(deploymentId));
  }
}
