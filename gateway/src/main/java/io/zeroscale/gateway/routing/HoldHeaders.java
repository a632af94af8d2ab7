package io.zeroscale.gateway.routing;

import org.springframework.http.HttpHeaders;

/**
 * What a response tells its client about the time its request spent held in the gateway. A cold
 * start (no ready instance when the request arrived) is something a client may want to tell apart
 * from a slow model, and an operator from a busy one; a wait for a busy slot is said apart, with
 * its own header, so neither is mistaken for the other.
 */
final class HoldHeaders {

  /** {@code true} on a response whose request waited for an instance to start. */
  static final String COLD_START = "x-zeroscale-cold-start";

  /** Milliseconds that request waited for its instance. */
  static final String COLD_START_WAIT_MS = "x-zeroscale-cold-start-wait-ms";

  /** Milliseconds a request waited for a busy instance's slot (instances were ready). */
  static final String QUEUE_WAIT_MS = "x-zeroscale-queue-wait-ms";

  private HoldHeaders() {}

  /**
   * Describes the wait behind {@code lease}; nothing when there was none.
   *
   * @param cold whether the deployment had no ready instance when the request arrived
   */
  static void apply(HttpHeaders headers, SlotLease lease, boolean cold) {
    if (!lease.held()) {
      return;
    }
    String ms = Long.toString(lease.waitedNanos() / 1_000_000);
    if (cold) {
      headers.set(COLD_START, "true");
      headers.set(COLD_START_WAIT_MS, ms);
    } else {
      headers.set(QUEUE_WAIT_MS, ms);
    }
  }
}
