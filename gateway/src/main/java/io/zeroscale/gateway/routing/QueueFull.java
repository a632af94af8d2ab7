package io.zeroscale.gateway.routing;

/** A deployment's queue on this gateway is at {@code max_queued_requests}: answer 429. */
public final class QueueFull extends RuntimeException {

  private final int limit;

  public QueueFull(String deployment, int limit) {
    super(
        "Too many requests are waiting for deployment '"
            + deployment
            + "' (max_queued_requests = "
            + limit
            + "). Retry shortly.",
        null,
        false,
        false);
    this.limit = limit;
  }

  public int limit() {
    return limit;
  }
}
