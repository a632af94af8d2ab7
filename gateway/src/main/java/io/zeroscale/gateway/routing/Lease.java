package io.zeroscale.gateway.routing;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One slot on one instance, held for the life of a request. {@link #release()} is idempotent:
 * completion, error and cancellation may all call it.
 */
public final class Lease {

  private final DeploymentQueue queue;
  private final DeploymentQueue.Slot slot;
  private final long grantedNanos;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(DeploymentQueue queue, DeploymentQueue.Slot slot, long grantedNanos) {
    this.queue = queue;
    this.slot = slot;
    this.grantedNanos = grantedNanos;
  }

  /** Base URL of the instance, e.g. {@code http://127.0.0.1:9100}. */
  public String url() {
    return slot.endpoint().url();
  }

  public String instanceId() {
    return slot.endpoint().id();
  }

  public long grantedNanos() {
    return grantedNanos;
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
