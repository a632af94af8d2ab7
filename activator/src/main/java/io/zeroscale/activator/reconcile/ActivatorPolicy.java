package io.zeroscale.activator.reconcile;

import java.time.Duration;
import java.util.Objects;

/**
 * The activator's timing and failure policy, every number the loop and the rules go by (validated
 * where it is bound: {@code ActivatorProperties}, whose defaults are the values below).
 *
 * @param tick reconcile period
 * @param leaseTtl leader lease
 * @param failureLimit boot failures in a row before {@code failed}
 * @param backoff first retry delay, doubled per failure, at most {@link #MAX_BACKOFF}
 * @param failureCooldown a wake-up retries a failed deployment after this
 * @param drainSettle wait before trusting a draining instance's in-flight count
 * @param drainTimeout stop a draining instance after this regardless
 * @param stopGrace SIGTERM-to-SIGKILL (pod grace) when stopping
 * @param healthFailures failed probes before a ready instance is replaced
 * @param shutdownDrain how long instances may finish when the activator shuts down
 * @param missingGrace an instance whose deployment is missing from Redis is stopped only after this
 *     (Redis keeps nothing across a restart; the control plane republishes within its 10 s sweep);
 *     default 60 s
 * @param stableAfter a crash within this of readiness counts as a boot failure, and a deployment's
 *     failure count is cleared once an instance has stayed ready this long; default 60 s
 * @param heartbeatEvery how often the leader writes heartbeats of the instances holding GPUs;
 *     default 15 s
 * @param budgetHold after a boot refused for the spend limit, the deployment launches nothing for
 *     this long; default 30 s
 * @param slowProbeLimit consecutive unanswered (timed out) probes after which a ready instance
 *     counts as hung: a busy engine answers {@code /health} late, and replacing it would cut every
 *     request it serves; default 30
 * @param statusResend a status report the published spec has not caught up with is sent again after
 *     this; default 5 s
 * @param idlePoll how often shutdown asks a draining instance for its in-flight count; default 250
 *     ms
 * @param bootPoll while an instance boots, passes run this often, so readiness is seen within this;
 *     default 50 ms
 */
public record ActivatorPolicy(
    Duration tick,
    Duration leaseTtl,
    int failureLimit,
    Duration backoff,
    Duration failureCooldown,
    Duration drainSettle,
    Duration drainTimeout,
    Duration stopGrace,
    int healthFailures,
    Duration shutdownDrain,
    Duration missingGrace,
    Duration stableAfter,
    Duration heartbeatEvery,
    Duration budgetHold,
    int slowProbeLimit,
    Duration statusResend,
    Duration idlePoll,
    Duration bootPoll) {

  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * How often the leader frees what the runtime keeps for deployments that are gone (the Kubernetes
   * runtime's tenant-token Secrets): one list call per sweep, so a slow cadence. The first pass of
   * a leader sweeps at once.
   */
  public static final Duration ORPHAN_SWEEP = Duration.ofSeconds(30);

  public ActivatorPolicy {
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(failureCooldown, "failureCooldown");
    Objects.requireNonNull(drainSettle, "drainSettle");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(stopGrace, "stopGrace");
    Objects.requireNonNull(shutdownDrain, "shutdownDrain");
    Objects.requireNonNull(missingGrace, "missingGrace");
    Objects.requireNonNull(stableAfter, "stableAfter");
    Objects.requireNonNull(heartbeatEvery, "heartbeatEvery");
    Objects.requireNonNull(budgetHold, "budgetHold");
    Objects.requireNonNull(statusResend, "statusResend");
    Objects.requireNonNull(idlePoll, "idlePoll");
    Objects.requireNonNull(bootPoll, "bootPoll");
  }

  /** Delay before the next launch after {@code failures} failures in a row: 1 s, 2 s, 4 s, … */
  public Duration backoffAfter(int failures) {
    Duration d = backoff.multipliedBy(1L << Math.min(failures - 1, 20));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  /** How long a follower keeps a wake-up, in case the leader dies before it handles it. */
  public Duration staleWakeUp() {
    return leaseTtl.plus(tick);
  }
}
