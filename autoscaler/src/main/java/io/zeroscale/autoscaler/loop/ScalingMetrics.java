package io.zeroscale.autoscaler.loop;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.autoscaler.decider.Decision;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Gauges per deployment, exported by the leading autoscaler only (a standby's would double count):
 * {@code zeroscale.autoscaler.desired} (replicas asked for), {@code zeroscale.autoscaler.actual}
 * (instances that count as capacity: pending, booting, ready) and {@code
 * zeroscale.autoscaler.demand} (queued + in-flight this tick), tagged {@code deployment} with the
 * full name. A deleted deployment's gauges are removed.
 */
public final class ScalingMetrics {

  /** No registry: records nothing. */
  public static final ScalingMetrics NONE = new ScalingMetrics(null);

  private final MeterRegistry registry;
  private final Map<String, Values> byDeployment = new ConcurrentHashMap<>();

  public ScalingMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  private static final class Values {
    volatile double desired;
    volatile double actual;
    volatile double demand;
    List<Meter> meters = List.of();
  }

  void record(DeploymentSpec spec, Decision d) {
    if (registry == null) {
      return;
    }
    Values v =
        byDeployment.computeIfAbsent(
            spec.id(),
            id -> {
              Values n = new Values();
              String name = spec.fullName();
              n.meters =
                  List.of(
                      Gauge.builder("zeroscale.autoscaler.desired", n, x -> x.desired)
                          .tag("deployment", name)
                          .description("Replicas the autoscaler asks for")
                          .register(registry),
                      Gauge.builder("zeroscale.autoscaler.actual", n, x -> x.actual)
                          .tag("deployment", name)
                          .description("Instances counted as capacity (pending, booting, ready)")
                          .register(registry),
                      Gauge.builder("zeroscale.autoscaler.demand", n, x -> x.demand)
                          .tag("deployment", name)
                          .description("Queued + in-flight requests over the gateways")
                          .register(registry));
              return n;
            });
    v.desired = d.replicas();
    v.actual = d.active();
    v.demand = d.demand();
  }

  /** Drops the gauges of deployments that are gone. */
  void retain(Collection<DeploymentSpec> live) {
    Set<String> ids = live.stream().map(DeploymentSpec::id).collect(Collectors.toSet());
    for (String id : Set.copyOf(byDeployment.keySet())) {
      if (!ids.contains(id)) {
        remove(id);
      }
    }
  }

  /** Drops every gauge (leadership lost, or shutdown). */
  void clear() {
    for (String id : Set.copyOf(byDeployment.keySet())) {
      remove(id);
    }
  }

  private void remove(String id) {
    Values v = byDeployment.remove(id);
    if (v != null && registry != null) {
      v.meters.forEach(registry::remove);
    }
  }
}
