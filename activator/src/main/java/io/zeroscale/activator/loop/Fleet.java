package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.reconcile.BootFailures;
import io.zeroscale.activator.reconcile.BudgetGate;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the leader keeps between passes: the tracked instances and, per deployment, its boot
 * failures, why it waits for GPUs, the status last reported, the target last decided, since when it
 * has been missing, and its spend-limit hold. Passes never overlap, so only the pass touches it
 * (the budget holds excepted, which a launch answer may set from another thread).
 */
final class Fleet {

  /** A status sent to the control plane, and when (re-sent if the spec has not caught up). */
  record Reported(DeploymentStatus status, String reason, Instant at) {}

  final Map<String, Tracked> tracked = new HashMap<>();

  /**
   * Boot failures of each deployment's revision {@link #failuresOf} (read through {@link
   * #failures}).
   */
  final Map<String, BootFailures> failures = new HashMap<>();

  /** The revision each deployment's {@link #failures} count for. */
  final Map<String, Integer> failuresOf = new HashMap<>();

  /**
   * The revision whose rollout end each deployment last reported (once per revision per leader; a
   * failed write takes its mark back, from the write's thread, so the next pass says it again).
   */
  final Map<String, Integer> rolloutsEnded = new ConcurrentHashMap<>();

  final Map<String, String> capacity = new HashMap<>();
  final Map<String, Reported> reported = new HashMap<>();

  /** The target of each deployment decided in the last pass (what {@code desired} shows). */
  final Map<String, Integer> targets = new HashMap<>();

  /**
   * Deployments seen missing from Redis, since when. Redis keeps nothing across a restart, so an
   * instance whose deployment is missing is stopped only after the policy's {@code missingGrace}.
   */
  final Map<String, Instant> missingSince = new HashMap<>();

  /** Deployments whose last boot the spend limit refused: the reason, until when. */
  final Map<String, BudgetGate.Hold> budgetHolds = new ConcurrentHashMap<>();

  private final ActivatorPolicy policy;

  Fleet(ActivatorPolicy policy) {
    this.policy = policy;
  }

  /**
   * The boot failures of the deployment's published revision: a new revision starts from none (the
   * failures of the one it replaces say nothing of it), and so does a return to an earlier one.
   */
  BootFailures failures(DeploymentSpec spec) {
    Integer of = failuresOf.get(spec.id());
    if (of != null && of != spec.revision()) {
      failures.remove(spec.id());
      failuresOf.remove(spec.id());
    }
    return failures.getOrDefault(spec.id(), BootFailures.NONE);
  }

  /** Records the failures of the deployment's published revision. */
  void failures(DeploymentSpec spec, BootFailures f) {
    failures.put(spec.id(), f);
    failuresOf.put(spec.id(), spec.revision());
  }

  /** The tracked instances grouped by deployment id. */
  Map<String, List<Tracked>> byDeployment() {
    Map<String, List<Tracked>> out = new HashMap<>();
    for (Tracked t : tracked.values()) {
      out.computeIfAbsent(t.spec.id(), k -> new ArrayList<>()).add(t);
    }
    return out;
  }

  /** Whether the deployment has been missing from Redis for longer than the grace. */
  boolean goneForGood(String deploymentId, Map<String, DeploymentSpec> specs, Instant now) {
    if (specs.containsKey(deploymentId)) {
      missingSince.remove(deploymentId);
      return false;
    }
    Instant since = missingSince.computeIfAbsent(deploymentId, k -> now);
    return !Duration.between(since, now).minus(policy.missingGrace()).isNegative();
  }

  /** What is kept per deployment goes with it. */
  void retain(Map<String, DeploymentSpec> specs) {
    failures.keySet().retainAll(specs.keySet());
    failuresOf.keySet().retainAll(specs.keySet());
    rolloutsEnded.keySet().retainAll(specs.keySet());
    capacity.keySet().retainAll(specs.keySet());
    reported.keySet().retainAll(specs.keySet());
    targets.keySet().retainAll(specs.keySet());
  }

  /** Whether something boots (a pass soon sees its readiness). */
  boolean booting() {
    for (Tracked t : tracked.values()) {
      if (t.phase == Phase.STARTING || (t.phase == Phase.PENDING && t.launched)) {
        return true;
      }
    }
    return false;
  }

  /** A follower tracks nothing: the next leader adopts what runs. */
  void forget() {
    tracked.clear();
    failures.clear();
    failuresOf.clear();
    rolloutsEnded.clear();
    reported.clear();
    capacity.clear();
    missingSince.clear();
    targets.clear();
  }
}
