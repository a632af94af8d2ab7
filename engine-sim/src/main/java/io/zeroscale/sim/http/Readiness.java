package io.zeroscale.sim.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/** Flips to ready once {@code --startup-duration} has elapsed, like a model finishing loading. */
public final class Readiness {

  private final Duration startup;
  private final Scheduler scheduler;
  private final Runnable onReady;
  private volatile boolean ready;
  private volatile Disposable timer;

  public Readiness(Duration startup, Scheduler scheduler, Runnable onReady) {
    this.startup = startup;
    this.scheduler = scheduler;
    this.onReady = onReady;
  }

  /** Starts the boot clock. */
  public void start() {
    if (startup.isZero()) {
      markReady();
    } else {
      timer = scheduler.schedule(this::markReady, startup.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  public boolean isReady() {
    return ready;
  }

  /** Stops the boot clock (shutdown before ready). */
  public void stop() {
    Disposable t = timer;
    if (t != null) {
      t.dispose();
    }
  }

  private void markReady() {
    ready = true;
    onReady.run();
  }
}
