package io.zeroscale.activator.reconcile;

/** Where a tracked instance is in its life, as the activator sees it. */
public enum Phase {
  /** Wanted, but no GPUs free: nothing runs, nothing is billed; launched again every tick. */
  PENDING,
  /** Holds its GPUs and boots; published once {@code /health} answers 200. */
  STARTING,
  /** Published as an endpoint; takes requests. */
  READY,
  /** Published as draining: takes nothing new; stopped when idle or after the drain timeout. */
  DRAINING,
  /** Asked to stop; forgotten when the runtime confirms. */
  STOPPING;

  /** Counts towards the desired replicas (booting instances are capacity: no double boots). */
  public boolean active() {
    return this == PENDING || this == STARTING || this == READY;
  }
}
