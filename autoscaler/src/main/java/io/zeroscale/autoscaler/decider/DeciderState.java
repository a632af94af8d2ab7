package io.zeroscale.autoscaler.decider;

import java.time.Instant;
import java.util.List;

/**
 * What the decider remembers of a deployment between ticks. Immutable: each decision returns the
 * next state.
 *
 * @param samples demand samples of the last stable window, oldest first
 * @param observedSince when this decider started watching the deployment (until a full stable
 *     window is observed it never scales down: a new leader does not act on a half-empty window)
 * @param lastActive when a request was last seen, or null before the first observation
 * @param panicSince the last time demand was over the panic threshold while panicking, or null
 * @param panicReplicas the highest replicas asked for during the current panic (never lowered)
 */
public record DeciderState(
    List<Sample> samples,
    Instant observedSince,
    Instant lastActive,
    Instant panicSince,
    int panicReplicas) {

  public static final DeciderState EMPTY = new DeciderState(List.of(), null, null, null, 0);

  public DeciderState {
    samples = List.copyOf(samples);
  }

  /** One demand sample. */
  public record Sample(Instant at, double demand) {}
}
