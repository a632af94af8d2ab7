package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties the mirrors to the per-deployment queues: every change of a deployment, of its instances or
 * of the gateway fleet reconfigures that deployment's queue; a deployment being deleted ({@code
 * deleting}) or deleted closes its queue, failing waiting and later requests with 404; a {@code
 * failed} deployment makes its queue refuse to hold requests (503 with the reason) until its status
 * changes again.
 *
 * <p>Reconfiguration happens on several threads (Redis pub/sub, resync, heartbeat, requests): it is
 * serialized under this object's monitor and always reads the current instances and fleet inside
 * it, so an older snapshot can never be applied after a newer one. It is rare (changes, not
 * requests), so the lock costs nothing on the request path.
 */
public final class Routing {

  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  /** This gateway's place in the fleet, read and written as one value. */
  record Fleet(int gateways, int rank) {}

  private final DeploymentDirectory deployments;
  private final InstanceDirectory instances;
  private final LongSupplier nanoTime;
  private final Map<String, DeploymentQueue> queues = new ConcurrentHashMap<>();
  private volatile Fleet fleet = new Fleet(1, 0);
  private volatile QueueMetrics metrics = QueueMetrics.NONE;

  public Routing(
      DeploymentDirectory deployments, InstanceDirectory instances, LongSupplier nanoTime) {
    this.deployments = deployments;
    this.instances = instances;
    this.nanoTime = nanoTime;
    deployments.onChanged(spec -> reconfigure(spec.id()));
    deployments.onRemoved(this::removed);
    instances.onChanged(this::reconfigure);
  }

  /**
   * The queue of a live deployment, created on first use; a deployment deleted meanwhile answers
   * {@link DeploymentGone} at once instead of a queue nobody will ever serve.
   */
  public DeploymentQueue queue(DeploymentSpec spec) {
    DeploymentQueue existing = queues.get(spec.id());
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      if (deployments.byId(spec.id()).isEmpty()) {
        throw new DeploymentGone(spec.fullName());
      }
      return queues.computeIfAbsent(
          spec.id(),
          id -> {
            DeploymentQueue q =
                new DeploymentQueue(spec.fullName(), spec.settings().maxQueuedRequests(), nanoTime);
            configure(q, spec);
            metrics.created(spec, q);
            return q;
          });
    }
  }

  /** Meters every queue from now on (the queues are created on first use, so none exists yet). */
  public void meter(QueueMetrics m) {
    this.metrics = m;
  }

  public Optional<DeploymentQueue> existingQueue(String deploymentId) {
    return Optional.ofNullable(queues.get(deploymentId));
  }

  public Map<String, DeploymentQueue> queues() {
    return Map.copyOf(queues);
  }

  /** The fleet changed: this gateway is {@code rank} of {@code gateways}. */
  public synchronized void membership(int gateways, int rank) {
    if (gateways < 1 || rank < 0 || rank >= gateways) {
      return;
    }
    Fleet next = new Fleet(gateways, rank);
    if (next.equals(fleet)) {
      return;
    }
    fleet = next;
    log.info("Gateway fleet: {} live gateway(s), this one has rank {}", gateways, rank);
    queues.keySet().forEach(this::reconfigure);
  }

  public int gateways() {
    return fleet.gateways();
  }

  private synchronized void reconfigure(String deploymentId) {
    DeploymentQueue q = queues.get(deploymentId);
    if (q == null) {
      return;
    }
    deployments.byId(deploymentId).ifPresent(spec -> configure(q, spec));
  }

  /** Under the monitor: current instances and fleet, read together. */
  private void configure(DeploymentQueue q, DeploymentSpec spec) {
    q.refuse(spec.status() == DeploymentStatus.FAILED ? new DeploymentFailed(spec) : null);
    Fleet f = fleet;
    // During a rollout only the current revision's ready instances take new requests, once it
    // has any (RevisionSelection); the slots are per instance, so shares are unchanged.
    q.reconfigure(
        RevisionSelection.select(instances.of(spec.id()), spec.revision()),
        spec.maxBatchSize(),
        spec.settings().maxQueuedRequests(),
        f.gateways(),
        f.rank());
  }

  private void removed(DeploymentSpec spec) {
    DeploymentQueue q;
    synchronized (this) {
      q = queues.remove(spec.id());
    }
    instances.forget(spec.id());
    if (q != null) {
      metrics.removed(spec);
      q.close(new DeploymentGone(spec.fullName()));
    }
  }

  /**
   * The deployment's instances failed to start (crash loop, image error...): held and new requests
   * answer 503 with the reason the control plane published.
   */
  public static final class DeploymentFailed extends RuntimeException {
    private final String reason;

    public DeploymentFailed(DeploymentSpec spec) {
      super(
          "The model `"
              + spec.fullName()
              + "` failed to start"
              + (spec.reason() == null || spec.reason().isBlank() ? "." : ": " + spec.reason()),
          null,
          false,
          false);
      this.reason = spec.reason();
    }

    /** The control plane's reason, or null. */
    public String reason() {
      return reason;
    }
  }

  /** The deployment was deleted while requests waited for it: they answer 404. */
  public static final class DeploymentGone extends RuntimeException {
    public DeploymentGone(String fullName) {
      super("The model `" + fullName + "` was deleted.", null, false, false);
    }
  }
}
