package io.zeroscale.sim.engine;

import io.zeroscale.sim.metrics.SimMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;

/**
 * Runs requests the way a client sees vLLM run them: wait for a slot (FIFO), maybe fail (injected),
 * then produce the first token {@code ttft} after admission and each next token {@code itl} later.
 * All timers run on the given Reactor {@link Scheduler}, so tests drive time with a {@code
 * VirtualTimeScheduler}; nothing here blocks.
 */
public final class Engine {

  private final Duration ttft;
  private final Duration itl;
  private final Admission admission;
  private final FaultInjector faults;
  private final SimMetrics metrics;
  private final Scheduler scheduler;
  private final LongSupplier nanoTime;

  /**
   * @param nanoTime monotonic clock for latency metrics; {@code System::nanoTime} in production,
   *     the virtual scheduler's clock in tests
   */
  public Engine(
      Duration ttft,
      Duration itl,
      Admission admission,
      FaultInjector faults,
      SimMetrics metrics,
      Scheduler scheduler,
      LongSupplier nanoTime) {
    this.ttft = ttft;
    this.itl = itl;
    this.admission = admission;
    this.faults = faults;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  /**
   * Admits the job and runs {@code body} while it holds a slot. The slot is released and the
   * outcome recorded when the body terminates or is cancelled (client disconnect), whichever comes
   * first. Errors before the body starts: {@link QueueFullException}, {@link
   * InjectedFailureException}; no response bytes have been written then.
   */
  public Mono<Void> execute(Job job, Function<Run, Mono<Void>> body) {
    return execute(job, scheduler, body);
  }

  /**
   * As {@link #execute(Job, Function)}, with this request's token timers on {@code timers}. The
   * HTTP layer passes the connection's own event loop: timer, encoding and write then happen on one
   * thread, with no hand-off per token (at 200 streams × 100 tokens/s that is 20 000 cross-thread
   * wake-ups a second saved).
   */
  public Mono<Void> execute(Job job, Scheduler timers, Function<Run, Mono<Void>> body) {
    return Mono.defer(
        () -> {
          long arrived = nanoTime.getAsLong();
          // Reactor propagates a cancel upstream even after the slot was emitted; only a
          // cancel before admission counts here, later ones are counted by Run.finish.
          AtomicBoolean admitted = new AtomicBoolean();
          return admission
              .acquire()
              .doOnNext(slot -> admitted.set(true))
              .doOnCancel(
                  () -> {
                    if (!admitted.get()) {
                      metrics.cancelled();
                    }
                  })
              .doOnError(QueueFullException.class, e -> metrics.rejected())
              .flatMap(
                  slot -> {
                    if (faults.shouldFail()) {
                      slot.release();
                      metrics.failed();
                      return Mono.error(new InjectedFailureException());
                    }
                    Run run = new Run(job, slot, timers, arrived, nanoTime.getAsLong());
                    return Mono.defer(() -> body.apply(run)).doFinally(run::finish);
                  });
        });
  }

  /** One admitted request: its timing and its accounting. */
  public final class Run {
    private final Job job;
    private final Admission.Slot slot;
    private final Scheduler timers;
    private final long arrivedNanos;
    private final long admittedNanos;
    // Set when the last token was produced. Reactor Netty completes (rather than cancels) a send
    // whose connection closed, so "the body completed" alone does not mean "the client got it".
    private volatile boolean produced;

    private Run(
        Job job, Admission.Slot slot, Scheduler timers, long arrivedNanos, long admittedNanos) {
      this.job = job;
      this.slot = slot;
      this.timers = timers;
      this.arrivedNanos = arrivedNanos;
      this.admittedNanos = admittedNanos;
    }

    public Job job() {
      return job;
    }

    /**
     * Emits token indexes {@code 0..steps-1}: index 0 at admission + ttft, index k at admission +
     * ttft + k × itl (a fixed-rate timer, so the gaps do not drift with write times). Each emission
     * is one decode step for the stream writer.
     */
    public Flux<Integer> ticks() {
      int steps = job.steps();
      Mono<Integer> first =
          (ttft.isZero() ? Mono.just(0) : Mono.delay(ttft, timers).thenReturn(0))
              .doOnNext(i -> recordTimeToFirstToken(nanoTime.getAsLong()));
      if (steps == 1) {
        return first.flux().doOnComplete(this::markProduced);
      }
      Flux<Integer> rest =
          itl.isZero()
              ? Flux.range(1, steps - 1)
              // A slow reader must not make the timer fail ("could not emit tick"): buffer the
              // at most steps-1 ticks instead.
              : Flux.interval(itl, timers)
                  .onBackpressureBuffer()
                  .take(steps - 1)
                  .map(i -> i.intValue() + 1);
      return first.concatWith(rest).doOnComplete(this::markProduced);
    }

    /** Completes when the last token would have been produced: ttft + (steps - 1) × itl. */
    public Mono<Void> awaitCompletion() {
      Duration total = ttft.plus(itl.multipliedBy(job.steps() - 1L));
      Mono<Void> wait = total.isZero() ? Mono.empty() : Mono.delay(total, timers).then();
      // The first token "happened" ttft after admission even though nobody saw it.
      return wait.doOnSuccess(
          v -> {
            recordTimeToFirstToken(admittedNanos + ttft.toNanos());
            markProduced();
          });
    }

    private void markProduced() {
      produced = true;
    }

    private void recordTimeToFirstToken(long firstTokenNanos) {
      metrics.timeToFirstToken((firstTokenNanos - arrivedNanos) / 1e9);
    }

    void finish(SignalType signal) {
      // Metrics first, then the slot: whoever sees the slot free also sees the outcome.
      if (signal == SignalType.ON_COMPLETE && produced) {
        metrics.succeeded(
            job.finishReason() == FinishReason.LENGTH,
            job.promptTokens(),
            job.generationTokens(),
            (nanoTime.getAsLong() - arrivedNanos) / 1e9);
      } else {
        // Cancelled, failed to write, or completed without producing everything: in each case
        // the client went away before the last token.
        metrics.cancelled();
      }
      slot.release();
    }
  }
}
