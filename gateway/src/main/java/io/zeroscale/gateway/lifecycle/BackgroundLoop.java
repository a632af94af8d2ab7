package io.zeroscale.gateway.lifecycle;

import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;

/**
 * A bean that runs one background loop while the application runs (the deployment sweeper,
 * billing's projector and budget mirror): {@link #start} subscribes to {@link #run()} and keeps the
 * subscription, {@link #stop} disposes of it, and the bean is running while it holds one. Stopping
 * twice, or before a start, is a no-op.
 */
public abstract class BackgroundLoop implements SmartLifecycle {

  private volatile Disposable loop;

  /** Starts the loop; the subscription returned is disposed of on {@link #stop}. */
  protected abstract Disposable run();

  @Override
  public final void start() {
    loop = run();
  }

  @Override
  public final void stop() {
    Disposable l = loop;
    if (l != null) {
      l.dispose();
    }
    loop = null;
  }

  @Override
  public final boolean isRunning() {
    return loop != null;
  }
}
