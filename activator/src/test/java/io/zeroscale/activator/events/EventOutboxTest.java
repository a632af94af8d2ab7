package io.zeroscale.activator.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class EventOutboxTest {

  private static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** An idempotent log that fails its first {@code failures} appends. */
  private static final class FlakyLog implements EventLog {
    final List<LifecycleEvent> written = new ArrayList<>();
    final AtomicInteger failures;
    int calls;

    FlakyLog(int failures) {
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public Mono<Void> append(List<LifecycleEvent> events) {
      return Mono.defer(
          () -> {
            calls++;
            if (failures.getAndDecrement() > 0) {
              return Mono.error(new IllegalStateException("database down"));
            }
            for (LifecycleEvent e : events) {
              if (written.stream().noneMatch(w -> w.eventId().equals(e.eventId()))) {
                written.add(e);
              }
            }
            return Mono.empty();
          });
    }
  }

  private static LifecycleEvent event(String instance, LifecycleEvent.Type type) {
    return new LifecycleEvent(
        instance, "dep-1", "tenant-1", type, AT, "H100-80GB", 1, "process", null);
  }

  @Test
  void aFailedWriteLosesNothingAndTheRetryKeepsTheOrder() {
    FlakyLog sink = new FlakyLog(1);
    EventOutbox outbox = new EventOutbox(sink);
    List<LifecycleEvent> sent =
        List.of(
            event("i-1", LifecycleEvent.Type.REQUESTED),
            event("i-1", LifecycleEvent.Type.SCHEDULED),
            event("i-1", LifecycleEvent.Type.READY));
    sent.forEach(outbox::add);

    StepVerifier.create(outbox.flush()).expectComplete().verify(WAIT);
    assertThat(sink.written).isEmpty();
    assertThat(outbox.pending()).isEqualTo(3);

    outbox.add(event("i-1", LifecycleEvent.Type.DRAINING));
    StepVerifier.create(outbox.flush()).expectComplete().verify(WAIT);

    assertThat(sink.written)
        .extracting(LifecycleEvent::type)
        .containsExactly(
            LifecycleEvent.Type.REQUESTED,
            LifecycleEvent.Type.SCHEDULED,
            LifecycleEvent.Type.READY,
            LifecycleEvent.Type.DRAINING);
    assertThat(outbox.pending()).isZero();
  }

  @Test
  void nothingIsWrittenTwiceAfterASuccess() {
    FlakyLog sink = new FlakyLog(0);
    EventOutbox outbox = new EventOutbox(sink);
    outbox.add(event("i-1", LifecycleEvent.Type.STOPPED));

    outbox.flush().block(WAIT);
    outbox.flush().block(WAIT);

    assertThat(sink.calls).isEqualTo(1);
    assertThat(sink.written).hasSize(1);
    assertThat(outbox.pending()).isZero();
  }

  @Test
  void anEventAddedWhileAWriteIsInFlightIsKeptForTheNextFlush() {
    FlakyLog sink = new FlakyLog(0);
    EventOutbox outbox = new EventOutbox(sink);
    outbox.add(event("i-1", LifecycleEvent.Type.SCHEDULED));
    Mono<Void> first = outbox.flush();
    // Added after the batch was taken, before the write completes.
    outbox.add(event("i-2", LifecycleEvent.Type.SCHEDULED));

    first.block(WAIT);
    assertThat(outbox.pending()).isEqualTo(1);
    outbox.flush().block(WAIT);

    assertThat(sink.written).extracting(LifecycleEvent::instanceId).containsExactly("i-1", "i-2");
    assertThat(outbox.pending()).isZero();
  }
}
