package io.zeroscale.sim.engine;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * vLLM's scheduler limits, reduced to what a client can observe: at most {@code maxRunning}
 * requests hold a slot; later ones wait in arrival order (FIFO) up to {@code maxWaiting}, beyond
 * that they are rejected at once.
 *
 * <p>Thread-safe and non-blocking: the lock only guards a counter and a deque (no callbacks run
 * under it), so it is safe to call from Netty event loops. A waiter's state moves once from WAITING
 * to GRANTED or CANCELLED (compare-and-set), which settles the race between a slot being handed
 * over and the client going away: whichever happens first wins, and a grant that loses to a cancel
 * is released again.
 */
public final class Admission {

  private static final int WAITING = 0;
  private static final int GRANTED = 1;
  private static final int CANCELLED = 2;

  private final int maxRunning;
  private final int maxWaiting;
  private final Object lock = new Object();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int running;
  private int maxRunningSeen;

  public Admission(int maxRunning, int maxWaiting) {
    if (maxRunning < 1 || maxWaiting < 0) {
      throw new IllegalArgumentException(
          "maxRunning must be >= 1 and maxWaiting >= 0, got " + maxRunning + ", " + maxWaiting);
    }
    this.maxRunning = maxRunning;
    this.maxWaiting = maxWaiting;
  }

  /**
   * Emits a {@link Slot} once the request may run; errors with {@link QueueFullException} when the
   * queue is full. Cancelling while waiting leaves the queue; cancelling after the grant releases
   * the slot. The slot must be {@link Slot#release() released} when the request ends.
   */
  public Mono<Slot> acquire() {
    return Mono.create(this::enqueue);
  }

  private void enqueue(MonoSink<Slot> sink) {
    Waiter waiter = new Waiter(sink);
    sink.onCancel(waiter::cancel);
    boolean grantNow = false;
    QueueFullException rejection = null;
    synchronized (lock) {
      if (running < maxRunning && queue.isEmpty()) {
        running++;
        maxRunningSeen = Math.max(maxRunningSeen, running);
        grantNow = true;
      } else if (queue.size() >= maxWaiting) {
        rejection = new QueueFullException(running, queue.size());
      } else {
        queue.addLast(waiter);
      }
    }
    if (rejection != null) {
      waiter.state.set(CANCELLED);
      sink.error(rejection);
    } else if (grantNow) {
      waiter.grant();
    }
  }

  private void release() {
    Waiter next = null;
    synchronized (lock) {
      running--;
      Waiter candidate;
      while ((candidate = queue.pollFirst()) != null) {
        if (candidate.state.get() == WAITING) {
          running++;
          maxRunningSeen = Math.max(maxRunningSeen, running);
          next = candidate;
          break;
        }
      }
    }
    if (next != null) {
      next.grant();
    }
  }

  /** Requests holding a slot now. */
  public int running() {
    synchronized (lock) {
      return running;
    }
  }

  /** Requests waiting for a slot now. */
  public int waiting() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** The largest number of requests ever running at once (proves max-num-seqs was honoured). */
  public int maxRunningSeen() {
    synchronized (lock) {
      return maxRunningSeen;
    }
  }

  public int maxRunning() {
    return maxRunning;
  }

  /** A running request's hold on one of the {@code maxRunning} places. */
  public final class Slot {
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot() {}

    /** Frees the place for the next waiter; idempotent. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        Admission.this.release();
      }
    }

    public boolean isReleased() {
      return released.get();
    }
  }

  private final class Waiter {
    final MonoSink<Slot> sink;
    final Slot slot = new Slot();
    final AtomicInteger state = new AtomicInteger(WAITING);

    Waiter(MonoSink<Slot> sink) {
      this.sink = sink;
    }

    /** Called with the running count already incremented for this waiter. */
    void grant() {
      if (state.compareAndSet(WAITING, GRANTED)) {
        sink.success(slot);
      } else {
        // Cancelled between being picked and being granted: hand the place on.
        slot.release();
      }
    }

    void cancel() {
      if (state.compareAndSet(WAITING, CANCELLED)) {
        synchronized (lock) {
          queue.remove(this);
        }
      } else if (state.get() == GRANTED) {
        slot.release();
      }
    }
  }
}
