package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
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
 *
 * <p>A deployment whose status is {@code deleting} is already gone for the data plane, exactly like
 * a {@code deleted} one (see {@link #isGone}): the tenant asked for it to go, so its held requests
 * answer 404 at once instead of waiting for the activator to finish stopping its instances.
 */
public final class DeploymentDirectory {

  private final Map<String, DeploymentSpec> byId = new ConcurrentHashMap<>();
  private final Map<String, DeploymentSpec> byTenantAndName = new ConcurrentHashMap<>();

  /** Deleted ids and the version of their deletion. Small: one long per deleted deployment. */
  private final Map<String, Long> deletedVersions = new ConcurrentHashMap<>();

  private final List<Consumer<DeploymentSpec>> changed = new CopyOnWriteArrayList<>();
  private final List<Consumer<DeploymentSpec>> removed = new CopyOnWriteArrayList<>();

  /**
   * Whether a deployment in this status takes no more requests: {@code deleting}, {@code deleted}.
   */
  public static boolean isGone(DeploymentStatus status) {
    return status.isGone();
  }

  /** Called after a deployment was added or changed. */
  public void onChanged(Consumer<DeploymentSpec> listener) {
    changed.add(listener);
  }

  /** Called after a deployment was deleted. */
  public void onRemoved(Consumer<DeploymentSpec> listener) {
    removed.add(listener);
  }

  /**
   * Applies one publication; answers whether it changed anything. A deletion leaves a tombstone
   * (its version), so a resync snapshot read before the deletion cannot bring it back. Writes are
   * rare and synchronized, which also keeps the name index in step with the id map; reads are
   * lock-free.
   */
  public boolean apply(DeploymentSpec spec) {
    DeploymentSpec previous;
    boolean deleted = isGone(spec.status());
    synchronized (this) {
      Long tombstone = deletedVersions.get(spec.id());
      if (tombstone != null && tombstone >= spec.version()) {
        return false;
      }
      previous = byId.get(spec.id());
      if (previous != null
          && (previous.version() > spec.version()
              || (previous.version() == spec.version() && previous.equals(spec)))) {
        return false;
      }
      if (previous != null) {
        byTenantAndName.remove(key(previous.tenantId(), previous.modelName()), previous);
      }
      if (deleted) {
        byId.remove(spec.id());
        deletedVersions.put(spec.id(), spec.version());
      } else {
        byId.put(spec.id(), spec);
        byTenantAndName.put(key(spec.tenantId(), spec.modelName()), spec);
      }
    }
    if (deleted) {
      if (previous != null) {
        removed.forEach(l -> l.accept(previous));
      }
      return previous != null;
    }
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
    DeploymentSpec held;
    synchronized (this) {
      held = byId.remove(id);
      if (held != null) {
        byTenantAndName.remove(key(held.tenantId(), held.modelName()), held);
      }
    }
    if (held != null) {
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
