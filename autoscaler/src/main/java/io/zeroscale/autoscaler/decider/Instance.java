package io.zeroscale.autoscaler.decider;

import io.zeroscale.api.scaling.StopOrder;
import java.time.Duration;
import java.time.Instant;

/**
 * One instance that counts as capacity, as the activator publishes it.
 *
 * @param id instance id
 * @param phase where it is
 * @param scheduledAt when it started holding GPUs (its paid first hour starts), null while pending
 */
public record Instance(String id, Phase phase, Instant scheduledAt) {

  /** The phases that count as capacity: booting instances too (no double boots). */
  public enum Phase {
    /** Waits for GPUs: holds and costs nothing. */
    PENDING,
    /** Holds GPUs and boots. */
    STARTING,
    /** Serves. */
    READY
  }

  /** Paid time left in the first period: zero past it, or when it never held GPUs. */
  public Duration prepaidLeft(Instant now, Duration paidPeriod) {
    return StopOrder.prepaidLeft(scheduledAt, now, paidPeriod);
  }
}
