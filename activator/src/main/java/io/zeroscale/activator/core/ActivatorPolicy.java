package io.zeroscale.activator.core;

import java.time.Duration;

/**
 * The loop's timing and failure policy (validated where it is bound: {@code ActivatorProperties}).
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
    Duration shutdownDrain) {

  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** Delay before the next launch after {@code failures} failures in a row: 1 s, 2 s, 4 s, … */
  public Duration backoffAfter(int failures) {
    Duration d = backoff.multipliedBy(1L << Math.min(failures - 1, 20));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }
}
