package io.zeroscale.gateway.routing;

import io.zeroscale.api.InstanceEndpoint;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every deployment's instances (ready or draining), in memory, as the activator publishes them in
 * Redis. Listeners hear the deployment id whose instances changed.
 */
public final class InstanceDirectory {

  private final Map<String, Map<String, InstanceEndpoint>> byDeployment = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public void onChanged(Consumer<String> listener) {
    listeners.add(listener);
  }

  /** Adds or updates an instance unless an equal or newer version is held. */
  public void apply(InstanceEndpoint endpoint) {
    boolean[] applied = new boolean[1];
    byDeployment
        .computeIfAbsent(endpoint.deploymentId(), id -> new ConcurrentHashMap<>())
        .compute(
            endpoint.id(),
            (id, held) -> {
              if (held != null && held.version() >= endpoint.version()) {
                return held;
              }
              applied[0] = true;
              return endpoint;
            });
    if (applied[0]) {
      notify(endpoint.deploymentId());
    }
  }

  public void remove(String deploymentId, String instanceId) {
    Map<String, InstanceEndpoint> instances = byDeployment.get(deploymentId);
    if (instances != null && instances.remove(instanceId) != null) {
      notify(deploymentId);
    }
  }

  /** Replaces a deployment's instances (periodic resync). */
  public void replace(String deploymentId, Collection<InstanceEndpoint> instances) {
    Map<String, InstanceEndpoint> next = new ConcurrentHashMap<>();
    instances.forEach(e -> next.put(e.id(), e));
    Map<String, InstanceEndpoint> previous = byDeployment.put(deploymentId, next);
    if (previous == null ? !next.isEmpty() : !previous.equals(next)) {
      notify(deploymentId);
    }
  }

  public void forget(String deploymentId) {
    if (byDeployment.remove(deploymentId) != null) {
      notify(deploymentId);
    }
  }

  public List<InstanceEndpoint> of(String deploymentId) {
    Map<String, InstanceEndpoint> instances = byDeployment.get(deploymentId);
    return instances == null ? List.of() : List.copyOf(instances.values());
  }

  private void notify(String deploymentId) {
    listeners.forEach(l -> l.accept(deploymentId));
  }
}
