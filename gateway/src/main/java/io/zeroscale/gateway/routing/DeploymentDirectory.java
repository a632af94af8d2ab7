package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every live deployment, in memory, as published in Redis by the control plane. The request path
 * reads only this map (never Redis or PostgreSQL). Publications carry a version; an older one than
 * what is held is ignored, so out-of-order delivery and resyncs cannot go back in time.
 */
public final class DeploymentDirectory {

  private final Map<String, DeploymentSpec> byId = new ConcurrentHashMap<>();
  private final Map<String, DeploymentSpec> byTenantAndName = new ConcurrentHashMap<>();
  private final List<Consumer<DeploymentSpec>> changed = new CopyOnWriteArrayList<>();
  private final List<Consumer<DeploymentSpec>> removed = new CopyOnWriteArrayList<>();

  /** Called after a deployment was added or changed. */
  public void onChanged(Consumer<DeploymentSpec> listener) {
    changed.add(listener);
  }

  /** Called after a deployment was deleted. */
  public void onRemoved(Consumer<DeploymentSpec> listener) {
    removed.add(listener);
  }

  /** Applies one publication; answers whether it changed anything. */
  public boolean apply(DeploymentSpec spec) {
    DeploymentSpec[] previous = new DeploymentSpec[1];
    boolean[] applied = new boolean[1];
    byId.compute(
        spec.id(),
        (id, held) -> {
          previous[0] = held;
          if (held != null && held.version() > spec.version()) {
            return held;
          }
          if (held != null && held.version() == spec.version() && held.equals(spec)) {
            return held;
          }
          applied[0] = true;
          return "deleted".equals(spec.status()) ? null : spec;
        });
    if (!applied[0]) {
      return false;
    }
    if (previous[0] != null) {
      byTenantAndName.remove(key(previous[0].tenantId(), previous[0].modelName()), previous[0]);
    }
    if ("deleted".equals(spec.status())) {
      if (previous[0] != null) {
        removed.forEach(l -> l.accept(previous[0]));
      }
      return previous[0] != null;
    }
    byTenantAndName.put(key(spec.tenantId(), spec.modelName()), spec);
    changed.forEach(l -> l.accept(spec));
    return true;
  }

  /**
   * Applies a full listing (periodic resync) and answers the ids held here that it lacks; the
   * caller decides when a missing one is really gone (see {@link RoutingSync}).
   */
  public Set<String> applyAll(Collection<DeploymentSpec> all) {
    Set<String> present = new HashSet<>();
    for (DeploymentSpec spec : all) {
      present.add(spec.id());
      apply(spec);
    }
    Set<String> missing = new HashSet<>(byId.keySet());
    missing.removeAll(present);
    return missing;
  }

  /** Drops a deployment that stayed missing from Redis. */
  public void remove(String id) {
    DeploymentSpec held = byId.remove(id);
    if (held != null) {
      byTenantAndName.remove(key(held.tenantId(), held.modelName()), held);
      removed.forEach(l -> l.accept(held));
    }
  }

  public Optional<DeploymentSpec> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * The deployment a request's {@code model} names for this tenant: its {@code model_name}, or its
   * full name {@code <tenant>/<model_name>}. Another tenant's full name finds nothing, exactly like
   * an unknown name.
   */
  public Optional<DeploymentSpec> resolve(String tenantId, String tenantName, String model) {
    String name = model;
    int slash = model.indexOf('/');
    if (slash >= 0) {
      if (!model.substring(0, slash).equals(tenantName)) {
        return Optional.empty();
      }
      name = model.substring(slash + 1);
    }
    return Optional.ofNullable(byTenantAndName.get(key(tenantId, name)));
  }

  public Collection<DeploymentSpec> all() {
    return List.copyOf(byId.values());
  }

  private static String key(String tenantId, String modelName) {
    return tenantId + "/" + modelName;
  }
}
