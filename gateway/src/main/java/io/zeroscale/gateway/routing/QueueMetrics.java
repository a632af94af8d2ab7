package io.zeroscale.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zeroscale.api.DeploymentSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The operator's meters of this gateway's per-deployment queues, tagged {@code deployment} with the
 * full name ({@code <tenant>/<model_name>}, as {@link io.zeroscale.gateway.observe.Metering}):
 *
 * <ul>
 *   <li>{@code zeroscale.queue.depth} (gauge): requests waiting here for a slot, for any reason;
 *   <li>{@code zeroscale.queue.held} (gauge): of those, the ones held for a cold start (the
 *       deployment has no ready instance, as this gateway sees it);
 *   <li>{@code zeroscale.queue.wait} (timer): how long a request that waited waited for its slot;
 *   <li>{@code zeroscale.coldstart.gateway} (timer): the cold start as this gateway saw it, from
 *       the oldest held request's arrival to the first ready instance (wake-up, activator, GPU
 *       wait, instance boot, endpoint publication); {@code zeroscale.coldstart.instance} is the
 *       instance's own part of it.
 * </ul>
 *
 * Gauges read the queue (a few field reads under its monitor) when scraped, so nothing is added to
 * the request path but one timer record per waited request. A deployment's meters are removed with
 * its queue: 100 deployments make 400 series.
 */
public final class QueueMetrics {

  /** Meters nothing. */
  public static final QueueMetrics NONE = new QueueMetrics(null);

  private final MeterRegistry registry;
  private final Map<String, List<Meter>> byDeployment = new ConcurrentHashMap<>();

  public QueueMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void created(DeploymentSpec spec, DeploymentQueue queue) {
    if (registry == null) {
      return;
    }
    String name = spec.fullName();
    Timer wait =
        Timer.builder("zeroscale.queue.wait")
            .description("Time a request waited in the gateway's queue for a slot")
            .tag("deployment", name)
            .register(registry);
    Timer cold =
        Timer.builder("zeroscale.coldstart.gateway")
            .description(
                "Cold start as the gateway saw it: oldest held request to first ready instance")
            .tag("deployment", name)
            .register(registry);
    List<Meter> meters =
        List.of(
            Gauge.builder("zeroscale.queue.depth", queue, DeploymentQueue::queued)
                .description("Requests waiting in this gateway's queue for a slot")
                .tag("deployment", name)
                .register(registry),
            Gauge.builder("zeroscale.queue.held", queue, QueueMetrics::held)
                .description("Requests held for a cold start (no ready instance)")
                .tag("deployment", name)
                .register(registry),
            wait,
            cold);
    List<Meter> before = byDeployment.put(spec.id(), meters);
    if (before != null) {
      before.stream().filter(m -> !meters.contains(m)).forEach(registry::remove);
    }
    queue.listen(
        new DeploymentQueue.Listener() {
          @Override
          public void waited(long nanos) {
            wait.record(nanos, TimeUnit.NANOSECONDS);
          }

          @Override
          public void coldStartEnded(long nanos) {
            cold.record(nanos, TimeUnit.NANOSECONDS);
          }
        });
  }

  void removed(DeploymentSpec spec) {
    List<Meter> meters = byDeployment.remove(spec.id());
    if (meters != null && registry != null) {
      meters.forEach(registry::remove);
    }
  }

  private static double held(DeploymentQueue q) {
    return q.hasReadyInstance() ? 0 : q.queued();
  }
}
