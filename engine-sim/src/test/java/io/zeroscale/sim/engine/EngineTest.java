package io.zeroscale.sim.engine;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.sim.metrics.SimMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class EngineTest {

  private static final Duration TTFT = Duration.ofMillis(100);
  private static final Duration ITL = Duration.ofMillis(20);

  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private Admission admission;
  private SimMetrics metrics;

  @AfterEach
  void stopTime() {
    time.dispose();
  }

  private Engine engine(int maxRunning, int maxWaiting, double failureRate) {
    admission = new Admission(maxRunning, maxWaiting);
    metrics =
        new SimMetrics(
            "m", admission::running, admission::waiting, admission::maxRunningSeen, maxRunning);
    return new Engine(
        TTFT,
        ITL,
        admission,
        new FaultInjector(failureRate, 0),
        metrics,
        time,
        () -> time.now(NANOSECONDS));
  }

  private static Job job(int steps) {
    return new Job(steps, 3, steps, FinishReason.STOP);
  }

  private long now() {
    return time.now(MILLISECONDS);
  }

  private Mono<Void> streaming(Engine engine, int steps, List<Long> tickTimes) {
    return engine.execute(
        job(steps), run -> run.ticks().doOnNext(i -> tickTimes.add(now())).then());
  }

  @Test
  void firstTokenAfterTtftThenOneEveryItl() {
    Engine engine = engine(1, 10, 0);
    List<Long> ticks = new ArrayList<>();
    StepVerifier.withVirtualTime(() -> streaming(engine, 4, ticks), () -> time, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(99))
        .then(() -> assertThat(ticks).isEmpty())
        .thenAwait(Duration.ofMillis(1))
        .then(() -> assertThat(ticks).containsExactly(100L))
        .thenAwait(Duration.ofMillis(60))
        .verifyComplete();
    assertThat(ticks).containsExactly(100L, 120L, 140L, 160L);
    assertThat(metrics.successTotal()).isEqualTo(1);
    assertThat(metrics.e2eSnapshot().sum())
        .isEqualTo(0.16, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void nonStreamingCompletesAfterTtftPlusTheTokenGaps() {
    Engine engine = engine(1, 10, 0);
    AtomicBoolean done = new AtomicBoolean();
    engine
        .execute(job(5), Engine.Run::awaitCompletion)
        .doOnSuccess(v -> done.set(true))
        .subscribe();
    time.advanceTimeBy(Duration.ofMillis(179));
    assertThat(done).isFalse();
    time.advanceTimeBy(Duration.ofMillis(1));
    // 100 ms + 4 × 20 ms
    assertThat(done).isTrue();
    assertThat(admission.running()).isZero();
    assertThat(metrics.timeToFirstTokenSnapshot().sum())
        .isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void timeSpentWaitingDoesNotShortenTheFirstTokenDelay() {
    Engine engine = engine(1, 10, 0);
    List<Long> first = new ArrayList<>();
    List<Long> second = new ArrayList<>();
    streaming(engine, 3, first).subscribe();
    streaming(engine, 3, second).subscribe();
    assertThat(admission.waiting()).isEqualTo(1);

    time.advanceTimeBy(Duration.ofSeconds(1));

    assertThat(first).containsExactly(100L, 120L, 140L);
    // Admitted at 140 ms when the first finished, so its TTFT timer starts there.
    assertThat(second).containsExactly(240L, 260L, 280L);
    // TTFT is measured from arrival: 0.1 s + 0.24 s.
    assertThat(metrics.timeToFirstTokenSnapshot().sum())
        .isEqualTo(0.34, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(metrics.timeToFirstTokenSnapshot().count()).isEqualTo(2);
  }

  @Test
  void cancellingARunningRequestFreesItsSlotAtOnce() {
    Engine engine = engine(1, 10, 0);
    List<Long> first = new ArrayList<>();
    List<Long> second = new ArrayList<>();
    Disposable running = streaming(engine, 10, first).subscribe();
    streaming(engine, 2, second).subscribe();

    time.advanceTimeBy(Duration.ofMillis(110));
    running.dispose();
    assertThat(admission.running()).isEqualTo(1);
    assertThat(admission.waiting()).isZero();
    time.advanceTimeBy(Duration.ofSeconds(1));

    assertThat(first).containsExactly(100L);
    assertThat(second).containsExactly(210L, 230L);
    assertThat(metrics.cancelledTotal()).isEqualTo(1);
    assertThat(metrics.successTotal()).isEqualTo(1);
  }

  @Test
  void cancellingAWaitingRequestLeavesTheQueueAndCounts() {
    Engine engine = engine(1, 10, 0);
    AtomicBoolean bodyRan = new AtomicBoolean();
    engine.execute(job(3), Engine.Run::awaitCompletion).subscribe();
    Disposable waiting =
        engine
            .execute(
                job(3),
                run -> {
                  bodyRan.set(true);
                  return run.awaitCompletion();
                })
            .subscribe();
    assertThat(admission.waiting()).isEqualTo(1);

    waiting.dispose();
    time.advanceTimeBy(Duration.ofSeconds(1));

    assertThat(admission.waiting()).isZero();
    assertThat(bodyRan).isFalse();
    assertThat(metrics.cancelledTotal()).isEqualTo(1);
  }

  @Test
  void aFullQueueIsRejectedAndCounted() {
    Engine engine = engine(1, 1, 0);
    engine.execute(job(3), Engine.Run::awaitCompletion).subscribe();
    engine.execute(job(3), Engine.Run::awaitCompletion).subscribe();
    AtomicReference<Throwable> error = new AtomicReference<>();
    engine.execute(job(3), Engine.Run::awaitCompletion).subscribe(v -> {}, error::set);

    assertThat(error.get()).isInstanceOf(QueueFullException.class);
    assertThat(metrics.rejectedTotal()).isEqualTo(1);
  }

  @Test
  void injectedFailuresHappenAfterAdmissionAndFreeTheSlot() {
    Engine engine = engine(1, 10, 1.0);
    AtomicBoolean bodyRan = new AtomicBoolean();
    StepVerifier.create(
            engine.execute(
                job(3),
                run -> {
                  bodyRan.set(true);
                  return Mono.empty();
                }))
        .verifyError(InjectedFailureException.class);
    assertThat(bodyRan).isFalse();
    assertThat(admission.running()).isZero();
    assertThat(metrics.failedTotal()).isEqualTo(1);
  }

  @Test
  void successIsCountedByFinishReasonWithTokens() {
    Engine engine = engine(2, 10, 0);
    engine.execute(new Job(4, 7, 4, FinishReason.LENGTH), Engine.Run::awaitCompletion).subscribe();
    engine.execute(new Job(2, 5, 2, FinishReason.STOP), Engine.Run::awaitCompletion).subscribe();
    time.advanceTimeBy(Duration.ofSeconds(1));

    String text = metrics.render();
    assertThat(text)
        .contains("vllm:request_success_total{model_name=\"m\",finished_reason=\"length\"} 1")
        .contains("vllm:request_success_total{model_name=\"m\",finished_reason=\"stop\"} 1")
        .contains("vllm:prompt_tokens_total{model_name=\"m\"} 12")
        .contains("vllm:generation_tokens_total{model_name=\"m\"} 6")
        .contains("sim:max_num_requests_running_seen{model_name=\"m\"} 2");
  }

  @Test
  void zeroLatenciesEmitEverythingAtOnce() {
    admission = new Admission(1, 1);
    metrics =
        new SimMetrics("m", admission::running, admission::waiting, admission::maxRunningSeen, 1);
    Engine engine =
        new Engine(
            Duration.ZERO,
            Duration.ZERO,
            admission,
            new FaultInjector(0, 0),
            metrics,
            time,
            () -> time.now(NANOSECONDS));
    List<Integer> ticks = new ArrayList<>();
    engine
        .execute(job(3), run -> run.ticks().doOnNext(ticks::add).then())
        .block(Duration.ofSeconds(1));
    assertThat(ticks).containsExactly(0, 1, 2);
    assertThat(admission.running()).isZero();
  }
}
