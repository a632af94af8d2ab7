package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.ScalingSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The queue meters: what a cold start and a busy deployment show, and removal with the queue. */
class QueueMetricsTest {

  private final AtomicLong nanos = new AtomicLong();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DeploymentDirectory dir = new DeploymentDirectory();
  private final InstanceDirectory instances = new InstanceDirectory(nanos::get);
  private final Routing routing = new Routing(dir, instances, nanos::get);

  QueueMetricsTest() {
    routing.meter(new QueueMetrics(registry));
  }

  private static DeploymentSpec spec() {
    return new DeploymentSpec(
        "d1",
        "t1",
        "acme",
        "chat",
        Family.LLM,
        "hf://a/b@main",
        "A100-80GB",
        1,
        1,
        new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true),
        DeploymentStatus.DEPLOYING,
        null,
        1,
        1,
        EngineOptions.NONE,
        1);
  }

  private double gauge(String name) {
    return registry.get(name).tag("deployment", "acme/chat").gauge().value();
  }

  private long count(String name) {
    return registry.get(name).tag("deployment", "acme/chat").timer().count();
  }

  @Test
  void aColdStartShowsHeldRequestsThenOneColdStartAndTheirWaits() {
    dir.apply(spec());
    DeploymentQueue q = routing.queue(spec());
    List<SlotLease> leases = new ArrayList<>();
    q.acquire().subscribe(leases::add);
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
    q.acquire().subscribe(leases::add);
    assertThat(gauge("zeroscale.queue.depth")).isEqualTo(2);
    assertThat(gauge("zeroscale.queue.held")).isEqualTo(2);
    assertThat(count("zeroscale.coldstart.gateway")).isZero();

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(3));
    q.reconfigure(
        List.of(new InstanceEndpoint("i1", "d1", "http://i1", InstanceEndpoint.State.READY, 1)),
        1,
        1000,
        1,
        0);
    // One slot (max_batch_size 1): the first request is served, the second still waits, but no
    // longer for a cold start.
    assertThat(leases).hasSize(1);
    assertThat(gauge("zeroscale.queue.depth")).isEqualTo(1);
    assertThat(gauge("zeroscale.queue.held")).isZero();
    var cold = registry.get("zeroscale.coldstart.gateway").tag("deployment", "acme/chat").timer();
    assertThat(cold.count()).isEqualTo(1);
    assertThat(cold.totalTime(TimeUnit.SECONDS)).as("from the oldest held request").isEqualTo(5);
    assertThat(count("zeroscale.queue.wait")).isEqualTo(1);

    leases.getFirst().release();
    assertThat(leases).hasSize(2);
    assertThat(count("zeroscale.queue.wait")).isEqualTo(2);
    assertThat(count("zeroscale.coldstart.gateway"))
        .as("a busy slot is no cold start")
        .isEqualTo(1);

    // A request served at once waited for nothing and is not recorded.
    leases.forEach(SlotLease::release);
    q.acquire(Duration.ofSeconds(1), reactor.core.scheduler.Schedulers.immediate())
        .subscribe(SlotLease::release);
    assertThat(count("zeroscale.queue.wait")).isEqualTo(2);
  }

  @Test
  void aDeletedDeploymentsMetersAreRemoved() {
    dir.apply(spec());
    routing.queue(spec());
    assertThat(registry.find("zeroscale.queue.depth").gauges()).hasSize(1);
    dir.remove("d1");
    assertThat(registry.find("zeroscale.queue.depth").gauges()).isEmpty();
    assertThat(registry.find("zeroscale.queue.held").gauges()).isEmpty();
    assertThat(registry.find("zeroscale.queue.wait").timers()).isEmpty();
    assertThat(registry.find("zeroscale.coldstart.gateway").timers()).isEmpty();
  }
}
