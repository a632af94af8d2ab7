package io.zeroscale.gateway.routing;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One slot on one instance, held for the life of a request. {@link #release()} is idempotent:
 * completion, error and cancellation may all call it.
 */
public final class SlotLease {

  private final DeploymentQueue queue;
  private final DeploymentQueue.Slot slot;
  private final long grantedNanos;
  private final long waitedNanos;
  private final AtomicBoolean released = new AtomicBoolean();

  /**
   * @param waitedNanos how long the request waited in the queue for it, or -1 when it was granted
   *     on arrival
   */
  SlotLease(DeploymentQueue queue, DeploymentQueue.Slot slot, long grantedNanos, long waitedNanos) {
    this.queue = queue;
    this.slot = slot;
    this.grantedNanos = grantedNanos;
    this.waitedNanos = waitedNanos;
  }

  /** Base URL of the instance, e.g. {@code http://127.0.0.1:9100}. */
  public String url() {
    return slot.endpoint().url();
  }

  /** The instance's engine key, sent upstream as {@code Authorization: Bearer}; null if none. */
  public String engineKey() {
    return slot.endpoint().engineKey();
  }

  public String instanceId() {
    return slot.endpoint().id();
  }

  public long grantedNanos() {
    return grantedNanos;
  }

  /** Whether the request waited in the queue for this slot (none was free on arrival). */
  public boolean held() {
    return waitedNanos >= 0;
  }

  /** How long the request waited in the queue, 0 when it did not. */
  public long waitedNanos() {
    return Math.max(0, waitedNanos);
  }

  public void release() {
    if (released.compareAndSet(false, true)) {
      queue.release(slot);
    }
  }

  public boolean isReleased() {
    return released.get();
  }
}
