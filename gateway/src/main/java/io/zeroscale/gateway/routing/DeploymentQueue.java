package io.zeroscale.gateway.routing;

import io.zeroscale.api.InstanceEndpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

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

    private boolean suspended;
    private long suspendedUntilNanos;

    Slot(InstanceEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    InstanceEndpoint endpoint() {
      return endpoint;
    }

    boolean free(long now) {
      if (suspended && now - suspendedUntilNanos >= 0) {
        suspended = false;
      }
      return endpoint.acceptsNewRequests() && inFlight < share && !suspended;
    }
  }

  private enum WaiterState {
    WAITING,
    GRANTED,
    CANCELLED,
    TIMED_OUT
  }

  private static final class Waiter {
    final MonoSink<SlotLease> sink;
    final long enqueuedNanos;
    final AtomicReference<WaiterState> state = new AtomicReference<>(WaiterState.WAITING);

    Waiter(MonoSink<SlotLease> sink, long enqueuedNanos) {
      this.sink = sink;
      this.enqueuedNanos = enqueuedNanos;
    }
  }

  private record Grant(Waiter waiter, SlotLease lease) {}

  private final String name;
  private final LongSupplier nanoTime;
  private final Map<String, Slot> slots = new HashMap<>();

  /** Instances no longer published whose leases are still out: reused if the id comes back. */
  private final Map<String, Slot> retired = new HashMap<>();

  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private RuntimeException closed;

  /** While set, requests that would have to wait fail with it instead (see {@link #refuse}). */
  private RuntimeException refusal;

  private int maxQueued;
  private int rotation;

  /** Told of waits and cold starts ({@link QueueMetrics}); never told under the monitor. */
  private volatile Listener listener = Listener.NONE;

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
   * A lease on a slot, at once when one is free, otherwise when one frees up, failing with a {@link
   * java.util.concurrent.TimeoutException} after {@code timeout}. Cancelling the subscription
   * leaves the queue (and gives back a slot granted in the same instant).
   *
   * <p>The timeout lives here rather than in a {@code .timeout()} operator downstream: a grant and
   * a timeout then race on one compare-and-set, and exactly one of them wins. With the operator, a
   * lease granted in the instant the timeout fired would be dropped by it, never released.
   */
  public Mono<SlotLease> acquire(Duration timeout, Scheduler timer) {
    Mono<SlotLease> lease =
        Mono.create(
            sink -> {
              SlotLease granted = null;
              Waiter waiter = null;
              RuntimeException refused = null;
              synchronized (this) {
                lastActivityNanos = nanoTime.getAsLong();
                Slot slot = closed == null && waiting.isEmpty() ? pick() : null;
                if (closed != null) {
                  refused = closed;
                } else if (slot != null) {
                  granted = take(slot, null);
                } else if (refusal != null) {
                  refused = refusal;
                } else if (waiting.size() >= maxQueued) {
                  refused = new QueueFull(name, maxQueued);
                } else {
                  waiter = new Waiter(sink, lastActivityNanos);
                  waiting.addLast(waiter);
                }
              }
              if (granted != null) {
                sink.success(granted);
              } else if (refused != null) {
                sink.error(refused);
              } else {
                Waiter w = waiter;
                Disposable timeoutTask =
                    timer.schedule(
                        () -> expire(w, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
                sink.onCancel(
                    () -> {
                      timeoutTask.dispose();
                      cancel(w);
                    });
              }
            });
    // A lease granted in the same instant the client went away reaches a cancelled sink, which
    // discards it: the discard hook gives the slot back. A delivered lease is the caller's to
    // release.
    return lease.doOnDiscard(SlotLease.class, SlotLease::release);
  }

  /** What a queue tells its observer (metrics): nothing here may block. */
  public interface Listener {
    Listener NONE = new Listener() {};

    /** A request that waited got its slot after {@code nanos}. */
    default void waited(long nanos) {}

    /**
     * The deployment had no ready instance and requests waiting; one became ready {@code nanos}
     * after the oldest still waiting arrived.
     */
    default void coldStartEnded(long nanos) {}
  }

  /** Sets the observer of waits and cold starts. */
  public void listen(Listener l) {
    this.listener = l == null ? Listener.NONE : l;
  }

  /** {@link #acquire(Duration, Scheduler)} with no practical timeout (tests). */
  public Mono<SlotLease> acquire() {
    return acquire(Duration.ofDays(365), Schedulers.parallel());
  }

  private void expire(Waiter w, Duration timeout) {
    if (w.state.compareAndSet(WaiterState.WAITING, WaiterState.TIMED_OUT)) {
      synchronized (this) {
        waiting.remove(w);
      }
      w.sink.error(new TimeoutException("no slot within " + timeout));
    }
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
      if (slot.inFlight == 0) {
        retired.remove(slot.endpoint.id(), slot);
      }
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
    long coldFor = -1;
    synchronized (this) {
      boolean wasCold = !hasReadyInstance() && !waiting.isEmpty();
      long oldest = wasCold ? waiting.peekFirst().enqueuedNanos : 0;
      this.maxQueued = maxQueued;
      List<InstanceEndpoint> sorted = new ArrayList<>(instances);
      sorted.sort(Comparator.comparing(InstanceEndpoint::id));
      Map<String, Slot> next = new HashMap<>();
      for (int i = 0; i < sorted.size(); i++) {
        InstanceEndpoint e = sorted.get(i);
        Slot slot = slots.get(e.id());
        if (slot == null) {
          // An instance back after a Redis wipe keeps the count of the leases it still has.
          slot = retired.remove(e.id());
        }
        if (slot == null) {
          slot = new Slot(e);
        }
        slot.endpoint = e;
        slot.share = SlotShares.share(maxBatchSize, gateways, rank, i);
        next.put(e.id(), slot);
      }
      // A vanished instance's slot lives on in its leases; it takes nothing new, and is kept
      // (retired) until they come back, in case the instance is published again meanwhile.
      for (Slot old : slots.values()) {
        if (!next.containsKey(old.endpoint.id()) && old.inFlight > 0) {
          retired.put(old.endpoint.id(), old);
        }
      }
      slots.clear();
      slots.putAll(next);
      if (wasCold && hasReadyInstance()) {
        coldFor = Math.max(0, nanoTime.getAsLong() - oldest);
      }
      grants = dispatch();
    }
    if (coldFor >= 0) {
      listener.coldStartEnded(coldFor);
    }
    complete(grants);
  }

  /**
   * Fails every waiting request (the deployment was deleted) and every later {@link #acquire}: a
   * request that resolved the deployment just before it went must not wait for nothing.
   */
  public void close(RuntimeException error) {
    List<Waiter> failed;
    synchronized (this) {
      closed = error;
      failed = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Waiter w : failed) {
      if (w.state.compareAndSet(WaiterState.WAITING, WaiterState.CANCELLED)) {
        w.sink.error(error);
      }
    }
  }

  /**
   * Fails every waiting request with {@code error}, and every later request that finds no free
   * slot, until called again with {@code null}: the deployment failed to start, and holding
   * requests for instances that are not coming would only turn a clear 503 into a late 504. Unlike
   * {@link #close}, this is reversible (the activator retries after a cool-down), and a free slot
   * on a ready instance is still used.
   */
  public void refuse(RuntimeException error) {
    List<Waiter> failed;
    synchronized (this) {
      refusal = error;
      if (error == null || waiting.isEmpty()) {
        return;
      }
      failed = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Waiter w : failed) {
      if (w.state.compareAndSet(WaiterState.WAITING, WaiterState.CANCELLED)) {
        w.sink.error(error);
      }
    }
  }

  /**
   * Takes an instance out of this gateway's rotation for a while: it refused a connection, and with
   * no requests in flight least-outstanding routing would otherwise send it most new ones.
   */
  public void suspend(String instanceId, Duration duration) {
    List<Grant> grants;
    synchronized (this) {
      Slot slot = slots.get(instanceId);
      if (slot == null) {
        return;
      }
      slot.suspended = true;
      slot.suspendedUntilNanos = nanoTime.getAsLong() + duration.toNanos();
      grants = dispatch();
    }
    complete(grants);
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
    long now = nanoTime.getAsLong();
    Slot best = null;
    int bestRank = Integer.MAX_VALUE;
    int n = slots.size();
    int i = 0;
    for (Slot s : slots.values()) {
      if (s.free(now)) {
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

  /**
   * @param waiter the request that waited for it, or null when it was free on arrival
   */
  private SlotLease take(Slot slot, Waiter waiter) {
    slot.inFlight++;
    long now = nanoTime.getAsLong();
    return new SlotLease(
        this, slot, now, waiter == null ? -1 : Math.max(0, now - waiter.enqueuedNanos));
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
      grants.add(new Grant(w, take(slot, w)));
    }
    return grants;
  }

  private void complete(List<Grant> grants) {
    Listener l = listener;
    for (Grant g : grants) {
      l.waited(g.lease().waitedNanos());
      g.waiter().sink.success(g.lease());
    }
  }
}
