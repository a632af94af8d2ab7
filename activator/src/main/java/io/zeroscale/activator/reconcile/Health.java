package io.zeroscale.activator.reconcile;

/** What a health probe of an instance found. */
public enum Health {
  /** {@code /health} answered 200. */
  UP,
  /** It answered something else, or refused the connection. */
  DOWN,
  /**
   * No answer within the timeout: an engine flooded with requests answers {@code /health} late,
   * which says it is busy, not that it is dead.
   */
  SLOW
}
