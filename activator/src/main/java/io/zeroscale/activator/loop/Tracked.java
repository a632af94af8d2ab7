package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.InstanceView;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;

/** One instance as the leading activator tracks it (touched only by the reconcile loop). */
final class Tracked {
  final String id;
  DeploymentSpec spec;
  Phase phase;
  Instant since;

  /** The runtime accepted it (a pending pod); false while it waits for GPUs in this activator. */
  boolean launched;

  Instant scheduledAt;
  String url;
  boolean runtimeReady;
  int healthFailures;
  int slowProbes;

  /** Its engine API key (made at planning, or read back from the runtime on adoption). */
  String engineKey;

  Tracked(String id, DeploymentSpec spec, Phase phase, Instant since) {
    this.id = id;
    this.spec = spec;
    this.phase = phase;
    this.since = since;
  }

  void enter(Phase next, Instant now) {
    phase = next;
    since = now;
  }

  InstanceView view() {
    return new InstanceView(id, phase, since, scheduledAt);
  }

  /** The endpoint to publish for a ready or draining instance. */
  InstanceEndpoint endpoint(long version) {
    return new InstanceEndpoint(
        id,
        spec.id(),
        url,
        phase == Phase.READY ? InstanceEndpoint.State.READY : InstanceEndpoint.State.DRAINING,
        version,
        engineKey);
  }

  boolean published() {
    return phase == Phase.READY || phase == Phase.DRAINING;
  }
}
