package io.zeroscale.sim.engine;

/** The waiting queue already holds {@code --max-waiting-queue-length} requests: answer 429. */
public final class QueueFullException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public QueueFullException(int running, int waiting) {
    super(
        "The engine is at capacity: "
            + running
            + " requests running and "
            + waiting
            + " waiting (--max-waiting-queue-length). Retry later.",
        null,
        false,
        false);
  }
}
