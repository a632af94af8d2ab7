package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.reconcile.BootFailures;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the runtime reports to the tracked instances: adoption of instances an earlier
 * leader started, scheduling (billing starts), and exits, which count as boot failures (retried
 * with backoff, {@code failed} after the limit) or crashes (taken out of routing and replaced).
 */
final class InstanceTracking {

  private static final Logger log = LoggerFactory.getLogger(InstanceTracking.class);

  private final Parts parts;
  private final ActivatorPolicy policy;
  private final Fleet fleet;
  private final Stopping stopping;

  InstanceTracking(Parts parts, Stopping stopping) {
    this.parts = parts;
    this.policy = parts.policy();
    this.fleet = parts.fleet();
    this.stopping = stopping;
  }

  /** Applies what the runtime reports: adoption, scheduling, exits. */
  void observe(
      List<RuntimeInstance> observed,
      Map<String, DeploymentSpec> specs,
      Map<String, Map<String, InstanceEndpoint>> published,
      Instant now,
      Writes io) {
    Set<String> seen = new HashSet<>();
    for (RuntimeInstance r : observed) {
      seen.add(r.instanceId());
      Tracked t = fleet.tracked.get(r.instanceId());
      if (t == null) {
        t = adopt(r, specs, published, now, io);
        if (t == null) {
          continue;
        }
      }
      if (t.phase == Phase.STOPPING) {
        continue;
      }
      if (r.url() != null) {
        // A pod briefly without an IP keeps its last known address (no routing flap).
        t.url = r.url();
      }
      t.runtimeReady = r.runtimeReady();
      switch (r.phase()) {
        case PENDING -> {
          if (r.detail() != null) {
            fleet.capacity.put(t.spec.id(), r.detail());
          }
        }
        case RUNNING -> {
          if (t.phase == Phase.PENDING) {
            scheduled(t, now);
          }
        }
        case EXITED -> exited(t, r.detail(), now, io);
        default -> throw new IllegalStateException(r.phase().toString());
      }
    }
    for (Tracked t : List.copyOf(fleet.tracked.values())) {
      if (!seen.contains(t.id) && t.launched && t.phase != Phase.STOPPING) {
        // Launched, yet the runtime no longer knows it: it is gone.
        exited(t, "the runtime no longer has it", now, io);
      }
    }
  }

  /**
   * An instance the runtime runs that this activator does not track: an earlier leader's. A
   * published endpoint keeps its state, so routing never flaps during a hand-over.
   */
  private Tracked adopt(
      RuntimeInstance r,
      Map<String, DeploymentSpec> specs,
      Map<String, Map<String, InstanceEndpoint>> published,
      Instant now,
      Writes io) {
    DeploymentSpec spec = specs.get(r.deploymentId());
    if (spec == null && !fleet.goneForGood(r.deploymentId(), specs, now)) {
      return null;
    }
    if (spec == null || r.phase() == RuntimeInstance.Phase.EXITED) {
      cleanUp(r, spec, now, io);
      return null;
    }
    InstanceEndpoint e = published.getOrDefault(spec.id(), Map.of()).get(r.instanceId());
    Phase phase =
        r.phase() == RuntimeInstance.Phase.PENDING
            ? Phase.PENDING
            : e == null
                ? Phase.STARTING
                : e.state() == InstanceEndpoint.State.READY ? Phase.READY : Phase.DRAINING;
    Tracked t = new Tracked(r.instanceId(), spec, revision(r, e, spec), phase, now);
    t.launched = true;
    t.url = r.url();
    // The key it was launched with: the runtime's copy, else the one its endpoint was published
    // with.
    t.engineKey = r.engineKey() != null ? r.engineKey() : e == null ? null : e.engineKey();
    if (phase != Phase.PENDING) {
      // Billed and ranked from when it took its GPUs, if the runtime knows, not from now.
      Instant since =
          r.heldGpusSince() != null && r.heldGpusSince().isBefore(now) ? r.heldGpusSince() : now;
      t.scheduledAt = since;
      if (phase == Phase.STARTING) {
        t.since = since;
      }
      // Same event id as the one the earlier leader wrote, if it did: the ledger keeps the first.
      parts.events().add(t, LifecycleEvent.Type.SCHEDULED, since, "adopted");
    }
    log.info("Adopted instance {} of {} as {}", t.id, spec.fullName(), phase);
    fleet.tracked.put(t.id, t);
    return t;
  }

  /**
   * Its deployment is gone, or it ended while nobody watched: clean up, and close its bill (an
   * earlier leader may have written SCHEDULED). Without the spec, the tenant and GPUs are unknown
   * and no event can be written: billing's heartbeat sweeper closes such instances.
   */
  private void cleanUp(RuntimeInstance r, DeploymentSpec spec, Instant now, Writes io) {
    Tracked gone =
        spec == null
            ? null
            : new Tracked(r.instanceId(), spec, revision(r, null, spec), Phase.STOPPING, now);
    if (gone != null) {
      parts
          .events()
          .add(
              gone,
              LifecycleEvent.Type.FAILED,
              now,
              "ended while no activator watched: " + r.detail());
    }
    io.add(
        parts
            .runtime()
            .stop(r.instanceId(), policy.stopGrace())
            .doOnSuccess(
                v -> {
                  if (gone != null) {
                    parts
                        .events()
                        .add(gone, LifecycleEvent.Type.STOPPED, parts.clock().instant(), null);
                  }
                }));
    if (spec == null && r.phase() != RuntimeInstance.Phase.EXITED) {
      log.info("Stopping instance {} of a deployment that no longer exists", r.instanceId());
    }
  }

  /**
   * The revision an instance runs: the runtime's word (process state file, pod label), else the one
   * its endpoint was published with, else the spec's (an instance launched before revisions existed
   * counts as current).
   */
  private static int revision(RuntimeInstance r, InstanceEndpoint published, DeploymentSpec spec) {
    if (r.revision() > 0) {
      return r.revision();
    }
    return published != null && published.revision() > 0 ? published.revision() : spec.revision();
  }

  private void scheduled(Tracked t, Instant now) {
    t.enter(Phase.STARTING, now);
    t.scheduledAt = now;
    fleet.capacity.remove(t.spec.id());
    parts.events().add(t, LifecycleEvent.Type.SCHEDULED, now, null);
  }

  /** The instance ended by itself. During boot that is a boot failure; after it, a crash. */
  private void exited(Tracked t, String detail, Instant now, Writes io) {
    Duration up = Duration.between(t.since, now);
    switch (BootFailures.onExit(t.phase, up, policy)) {
      case BOOT_FAILURE ->
          bootFailed(
              t,
              t.phase == Phase.READY
                  ? "crashed " + up.toSeconds() + " s after it became ready: " + detail
                  : detail,
              now,
              io);
      case CRASH -> {
        log.warn("Instance {} of {} crashed: {}", t.id, t.spec.fullName(), detail);
        parts.events().add(t, LifecycleEvent.Type.FAILED, now, "crashed: " + detail);
        stopping.stop(t, now, io);
      }
      case STOP -> stopping.stop(t, now, io);
      default -> {
        // STOPPING: an exit is what was asked for
      }
    }
  }

  /**
   * Counts a boot failure of the deployment's published revision (backoff, {@code failed} at the
   * limit). An instance of another revision that fails is stopped without counting: a rollout is
   * replacing it anyway, and its failures say nothing of the revision to run.
   */
  void bootFailed(Tracked t, String detail, Instant now, Writes io) {
    if (t.revision != t.spec.revision()) {
      log.warn(
          "Instance {} of {} (revision {}) failed: {}",
          t.id,
          t.spec.fullName(),
          t.revision,
          detail);
      parts.events().add(t, LifecycleEvent.Type.FAILED, now, detail);
      stopping.stop(t, now, io);
      return;
    }
    BootFailures f = fleet.failures(t.spec).after(detail, now, policy);
    fleet.failures(t.spec, f);
    log.warn(
        "Instance {} of {} failed to boot ({} of {}): {}",
        t.id,
        t.spec.fullName(),
        f.count(),
        policy.failureLimit(),
        detail);
    parts.events().add(t, LifecycleEvent.Type.FAILED, now, detail);
    if (t.launched) {
      stopping.stop(t, now, io);
    } else {
      fleet.tracked.remove(t.id);
      parts.events().add(t, LifecycleEvent.Type.STOPPED, now, null);
    }
  }
}
