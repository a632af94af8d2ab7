package io.zeroscale.activator.reconcile;

import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;

/**
 * What the decider needs to know of one instance.
 *
 * @param id instance id
 * @param phase its phase
 * @param since when it entered its phase (or when it was scheduled, for ready ones: the start of
 *     its paid first hour)
 * @param scheduledAt when it started holding GPUs, null while pending
 * @param revision the deployment revision it was launched with; 0 (not known) counts as the current
 *     one
 * @param gpu the GPU type it was launched on (its revision's), or null when not known: a rollout
 *     frees an old instance for a new one that waits for GPUs only when both use the same type
 */
public record InstanceView(
    String id, Phase phase, Instant since, Instant scheduledAt, int revision, String gpu) {

  /** An instance of the current revision, on no particular GPU type (tables of one revision). */
  public InstanceView(String id, Phase phase, Instant since, Instant scheduledAt) {
    this(id, phase, since, scheduledAt, 0, null);
  }

  /** Whether it runs revision {@code current} (an unknown revision counts as current). */
  public boolean runs(int current) {
    return revision == 0 || revision == current;
  }
}
