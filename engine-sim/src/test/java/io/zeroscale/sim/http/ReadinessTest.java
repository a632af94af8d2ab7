package io.zeroscale.sim.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

class ReadinessTest {

  @Test
  void becomesReadyOnceTheStartupDurationHasElapsed() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    AtomicInteger announcements = new AtomicInteger();
    Readiness readiness =
        new Readiness(Duration.ofSeconds(3), time, announcements::incrementAndGet);
    readiness.start();

    time.advanceTimeBy(Duration.ofMillis(2_999));
    assertThat(readiness.isReady()).isFalse();
    assertThat(announcements).hasValue(0);

    time.advanceTimeBy(Duration.ofMillis(1));
    assertThat(readiness.isReady()).isTrue();
    assertThat(announcements).hasValue(1);
    time.dispose();
  }

  @Test
  void zeroStartupIsReadyAtOnce() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    Readiness readiness = new Readiness(Duration.ZERO, time, () -> {});
    readiness.start();
    assertThat(readiness.isReady()).isTrue();
    time.dispose();
  }

  @Test
  void stoppingBeforeReadyCancelsTheBootClock() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    Readiness readiness = new Readiness(Duration.ofSeconds(1), time, () -> {});
    readiness.start();
    readiness.stop();
    time.advanceTimeBy(Duration.ofSeconds(5));
    assertThat(readiness.isReady()).isFalse();
    time.dispose();
  }
}
