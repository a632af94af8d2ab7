package io.zeroscale.activator.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.events.LifecycleEvent.Type;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The activator's meters, from the lifecycle events it writes and the end of its passes. */
class ActivatorMetricsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ActivatorMetrics metrics = new ActivatorMetrics(registry);

  private void event(String instance, Type type, int atS, String detail) {
    metrics.event(
        new LifecycleEvent(
            instance, "d1", "t1", type, T0.plusSeconds(atS), "A100-80GB", 1, "process", detail),
        "acme/chat");
  }

  private double counter(String name, String reason) {
    return reason == null
        ? registry.get(name).counter().count()
        : registry.get(name).tag("reason", reason).counter().count();
  }

  @Test
  void aBootAColdStartAndAScaleDownAreCountedWithTheirReasons() {
    event("i1", Type.REQUESTED, 0, null);
    event("i1", Type.SCHEDULED, 1, null);
    event("i1", Type.READY, 31, null);
    event("i1", Type.DRAINING, 100, null);
    event("i1", Type.STOPPED, 101, null);

    assertThat(counter("zeroscale.instance.boots", null)).isEqualTo(1);
    var cold = registry.get("zeroscale.coldstart.instance").tag("deployment", "acme/chat").timer();
    assertThat(cold.count()).isEqualTo(1);
    assertThat(cold.totalTime(TimeUnit.SECONDS)).as("scheduled to ready").isEqualTo(30);
    assertThat(counter("zeroscale.instance.drains", "scale")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.stops", "drained")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.stops", "scale")).isZero();
  }

  @Test
  void failuresAreCountedByReasonAndTheirStopsAsFailed() {
    event("boot", Type.REQUESTED, 0, null);
    event("boot", Type.SCHEDULED, 0, null);
    event("boot", Type.FAILED, 5, "exited with code 1");
    event("boot", Type.STOPPED, 6, null);
    event("crash", Type.FAILED, 5, "crashed: exit code 137");
    event("sick", Type.FAILED, 5, "failed its health probes");
    event("sick", Type.DRAINING, 5, null);
    event("orphan", Type.FAILED, 5, "ended while no activator watched: exited");

    assertThat(counter("zeroscale.instance.failures", "boot")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.failures", "crash")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.failures", "health")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.failures", "orphan")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.stops", "failed")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.drains", "failed")).isEqualTo(1);
    assertThat(registry.find("zeroscale.coldstart.instance").timers())
        .as("it never became ready")
        .isEmpty();
  }

  @Test
  void shutdownDrainsAndStopsSayShutdown() {
    event("i1", Type.DRAINING, 0, "shutdown");
    event("i1", Type.STOPPED, 1, "shutdown");
    assertThat(counter("zeroscale.instance.drains", "shutdown")).isEqualTo(1);
    assertThat(counter("zeroscale.instance.stops", "shutdown")).isEqualTo(1);
  }

  @Test
  void instancesArePerPhaseAndColdStartTimersGoWithTheirDeployment() {
    var spec = ActivatorLoopTest.spec("d1", 0, 2);
    Tracked ready = new Tracked("a", spec, Phase.READY, T0);
    Tracked starting = new Tracked("b", spec, Phase.STARTING, T0);
    event("a", Type.SCHEDULED, 0, null);
    event("a", Type.READY, 1, null);

    metrics.passed(1_000_000, List.of(ready, starting), Set.of("d1"));
    assertThat(registry.get("zeroscale.instances").tag("phase", "ready").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("zeroscale.instances").tag("phase", "starting").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("zeroscale.instances").tag("phase", "draining").gauge().value())
        .isZero();
    assertThat(registry.get("zeroscale.activator.pass").timer().count()).isEqualTo(1);
    assertThat(registry.find("zeroscale.coldstart.instance").timers()).hasSize(1);

    metrics.passed(1_000_000, List.of(), Set.of());
    assertThat(registry.get("zeroscale.instances").tag("phase", "ready").gauge().value()).isZero();
    assertThat(registry.find("zeroscale.coldstart.instance").timers()).isEmpty();
  }

  @Test
  void aStandbyShowsNoInstancesAndForgetsWhatItRemembered() {
    var spec = ActivatorLoopTest.spec("d1", 0, 2);
    event("a", Type.SCHEDULED, 0, null);
    metrics.tracked(List.of(new Tracked("a", spec, Phase.STARTING, T0)));
    assertThat(registry.get("zeroscale.instances").tag("phase", "starting").gauge().value())
        .isEqualTo(1);

    metrics.following();
    assertThat(registry.get("zeroscale.instances").tag("phase", "starting").gauge().value())
        .isZero();
    // Its READY, should another leader's stop thread still report one, is no cold start here.
    event("a", Type.READY, 10, null);
    assertThat(registry.find("zeroscale.coldstart.instance").timers()).isEmpty();
  }
}
