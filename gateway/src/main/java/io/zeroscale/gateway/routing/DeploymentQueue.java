package io.zeroscale.gateway.routing;

import io.zeroscale.api.InstanceEndpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * One deployment's slots and waiting requests on this gateway.
 *
 * <p>A request takes a free slot of the ready instance with the fewest outstanding requests (least
 * outstanding requests); when every slot this gateway may use is taken, or no instance is ready, it
 * waits in arrival order (FIFO), up to {@code max_queued_requests}, beyond which it is refused with
 * {@link QueueFull}. A released slot goes to the oldest waiter at once. Draining instances take
 * nothing new; their leases still come back.
 *
 * <p>All state is guarded by this object's monitor; critical sections are a few field updates, and
 * sinks are completed outside the lock. Nothing here blocks or does I/O.
 */
public final class DeploymentQueue {

  /** An instance as this gateway uses it: its endpoint, its share of slots, what it holds. */
  static final class Slot {
    private InstanceEndpoint endpoint;
    private int share;
    private int inFlight;

    Slot(InstanceEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    InstanceEndpoint endpoint() {
      return endpoint;
    }

    boolean free() {
      return endpoint.acceptsNewRequests() && inFlight < share;
    }
  }

  private enum WaiterState {
    WAITING,
    GRANTED,
    CANCELLED
  }

  private static final class Waiter {
    final MonoSink<Lease> sink;
    final AtomicReference<WaiterState> state = new AtomicReference<>(WaiterState.WAITING);

    Waiter(MonoSink<Lease> sink) {
      this.sink = sink;
    }
  }

  private record Grant(Waiter waiter, Lease lease) {}

  private final String name;
  private final LongSupplier nanoTime;
  private final Map<String, Slot> slots = new HashMap<>();
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private int maxQueued;
  private int rotation;
  private long lastActivityNanos;

  /**
   * @param name the deployment's full name, for messages
   * @param maxQueued {@code max_queued_requests}
   */
  public DeploymentQueue(String name, int maxQueued, LongSupplier nanoTime) {
    this.name = name;
    this.maxQueued = maxQueued;
    this.nanoTime = nanoTime;
    this.lastActivityNanos = nanoTime.getAsLong();
  }

  /**
   * A lease on a slot, at once when one is free, otherwise when one frees up. Cancelling the
   * subscription leaves the queue (and gives back a slot granted in the same instant).
   */
  public Mono<Lease> acquire() {
    Mono<Lease> lease =
        Mono.create(
            sink -> {
              Lease granted = null;
              Waiter waiter = null;
              boolean full = false;
              synchronized (this) {
                lastActivityNanos = nanoTime.getAsLong();
                Slot slot = waiting.isEmpty() ? pick() : null;
                if (slot != null) {
                  granted = take(slot);
                } else if (waiting.size() >= maxQueued) {
                  full = true;
                } else {
                  waiter = new Waiter(sink);
                  waiting.addLast(waiter);
                }
              }
              if (granted != null) {
                sink.success(granted);
              } else if (full) {
                sink.error(new QueueFull(name, maxQueued));
              } else {
                Waiter w = waiter;
                sink.onCancel(() -> cancel(w));
              }
            });
    // A lease granted in the same instant the client went away reaches a cancelled sink, which
    // discards it: the discard hook gives the slot back. A delivered lease is the caller's to
    // release.
    return lease.doOnDiscard(Lease.class, Lease::release);
  }

  private void cancel(Waiter w) {
    if (w.state.compareAndSet(WaiterState.WAITING, WaiterState.CANCELLED)) {
      synchronized (this) {
        waiting.remove(w);
      }
    }
  }

  void release(Slot slot) {
    List<Grant> grants;
    synchronized (this) {
      slot.inFlight--;
      lastActivityNanos = nanoTime.getAsLong();
      grants = dispatch();
    }
    complete(grants);
  }

  /**
   * Applies the instances published for the deployment and this gateway's place in the fleet, then
   * hands freed capacity to waiters.
   *
   * @param instances the deployment's instances (ready or draining)
   * @param maxBatchSize the deployment's {@code max_batch_size}
   * @param gateways live gateways
   * @param rank this gateway's rank among them
   */
  public void reconfigure(
      List<InstanceEndpoint> instances, int maxBatchSize, int maxQueued, int gateways, int rank) {
    List<Grant> grants;
    synchronized (this) {
      this.maxQueued = maxQueued;
      List<InstanceEndpoint> sorted = new ArrayList<>(instances);
      sorted.sort(Comparator.comparing(InstanceEndpoint::id));
      Map<String, Slot> next = new HashMap<>();
      for (int i = 0; i < sorted.size(); i++) {
        InstanceEndpoint e = sorted.get(i);
        Slot slot = slots.getOrDefault(e.id(), new Slot(e));
        slot.endpoint = e;
        slot.share = SlotShares.share(maxBatchSize, gateways, rank, i);
        next.put(e.id(), slot);
      }
      // A vanished instance's slot object lives on in its leases; it just takes nothing new.
      slots.clear();
      slots.putAll(next);
      grants = dispatch();
    }
    complete(grants);
  }

  /** Fails every waiting request (deployment deleted or failed to start). */
  public void failAll(RuntimeException error) {
    List<Waiter> failed;
    synchronized (this) {
      failed = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Waiter w : failed) {
      if (w.state.compareAndSet(WaiterState.WAITING, WaiterState.CANCELLED)) {
        w.sink.error(error);
      }
    }
  }

  /** Requests waiting here. */
  public synchronized int queued() {
    return waiting.size();
  }

  /** Requests this gateway has in flight on the deployment's instances. */
  public synchronized int inFlight() {
    int n = 0;
    for (Slot s : slots.values()) {
      n += s.inFlight;
    }
    return n;
  }

  /** Whether any instance is ready for new requests (from this gateway's point of view). */
  public synchronized boolean hasReadyInstance() {
    for (Slot s : slots.values()) {
      if (s.endpoint.acceptsNewRequests()) {
        return true;
      }
    }
    return false;
  }

  public synchronized long lastActivityNanos() {
    return lastActivityNanos;
  }

  /** In-flight count per instance id, for tests and diagnostics. */
  synchronized Map<String, Integer> inFlightByInstance() {
    Map<String, Integer> out = new HashMap<>();
    slots.forEach((id, s) -> out.put(id, s.inFlight));
    return out;
  }

  // --- under the monitor ---

  /** Least outstanding requests among free slots; ties rotate so equal instances share load. */
  private Slot pick() {
    Slot best = null;
    int bestRank = Integer.MAX_VALUE;
    int n = slots.size();
    int i = 0;
    for (Slot s : slots.values()) {
      if (s.free()) {
        int rank = s.inFlight * (n + 1) + Math.floorMod(i - rotation, n + 1);
        if (rank < bestRank) {
          best = s;
          bestRank = rank;
        }
      }
      i++;
    }
    rotation++;
    return best;
  }

  private Lease take(Slot slot) {
    slot.inFlight++;
    return new Lease(this, slot, nanoTime.getAsLong());
  }

  private List<Grant> dispatch() {
    List<Grant> grants = new ArrayList<>();
    while (!waiting.isEmpty()) {
      Slot slot = pick();
      if (slot == null) {
        break;
      }
      Waiter w = waiting.pollFirst();
      if (!w.state.compareAndSet(WaiterState.WAITING, WaiterState.GRANTED)) {
        continue;
      }
      grants.add(new Grant(w, take(slot)));
    }
    return grants;
  }

  private static void complete(List<Grant> grants) {
    for (Grant g : grants) {
      g.waiter().sink.success(g.lease());
    }
  }
}
