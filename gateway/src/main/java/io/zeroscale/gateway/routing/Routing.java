package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties the mirrors to the per-deployment queues: every change of a deployment, of its instances or
 * of the gateway fleet reconfigures that deployment's queue; a deleted deployment fails its waiting
 * requests with 404.
 */
public final class Routing {

  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  private final DeploymentDirectory deployments;
  private final InstanceDirectory instances;
  private final LongSupplier nanoTime;
  private final Map<String, DeploymentQueue> queues = new ConcurrentHashMap<>();
  private volatile int gateways = 1;
  private volatile int rank;

  public Routing(
      DeploymentDirectory deployments, InstanceDirectory instances, LongSupplier nanoTime) {
    this.deployments = deployments;
    this.instances = instances;
    this.nanoTime = nanoTime;
    deployments.onChanged(spec -> reconfigure(spec.id()));
    deployments.onRemoved(this::removed);
    instances.onChanged(this::reconfigure);
  }

  /** The queue of a live deployment, created on first use. */
  public DeploymentQueue queue(DeploymentSpec spec) {
    return queues.computeIfAbsent(
        spec.id(),
        id -> {
          DeploymentQueue q =
              new DeploymentQueue(spec.fullName(), spec.settings().maxQueuedRequests(), nanoTime);
          configure(q, spec);
          return q;
        });
  }

  public Optional<DeploymentQueue> existingQueue(String deploymentId) {
    return Optional.ofNullable(queues.get(deploymentId));
  }

  public Map<String, DeploymentQueue> queues() {
    return Map.copyOf(queues);
  }

  /** The fleet changed: this gateway is {@code rank} of {@code gateways}. */
  public void membership(int gateways, int rank) {
    if (gateways < 1 || rank < 0 || rank >= gateways) {
      return;
    }
    if (this.gateways == gateways && this.rank == rank) {
      return;
    }
    this.gateways = gateways;
    this.rank = rank;
    log.info("Gateway fleet: {} live gateway(s), this one has rank {}", gateways, rank);
    queues.keySet().forEach(this::reconfigure);
  }

  public int gateways() {
    return gateways;
  }

  private void reconfigure(String deploymentId) {
    DeploymentQueue q = queues.get(deploymentId);
    if (q == null) {
      return;
    }
    deployments.byId(deploymentId).ifPresent(spec -> configure(q, spec));
  }

  private void configure(DeploymentQueue q, DeploymentSpec spec) {
    q.reconfigure(
        instances.of(spec.id()),
        spec.maxBatchSize(),
        spec.settings().maxQueuedRequests(),
        gateways,
        rank);
  }

  private void removed(DeploymentSpec spec) {
    DeploymentQueue q = queues.remove(spec.id());
    instances.forget(spec.id());
    if (q != null) {
      q.failAll(new DeploymentGone(spec.fullName()));
    }
  }

  /** The deployment was deleted while requests waited for it: they answer 404. */
  public static final class DeploymentGone extends RuntimeException {
    public DeploymentGone(String fullName) {
      super("The model `" + fullName + "` was deleted.", null, false, false);
    }
  }
}
