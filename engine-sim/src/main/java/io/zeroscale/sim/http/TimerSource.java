package io.zeroscale.sim.http;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;

/** Picks the Reactor {@link Scheduler} that times a request's tokens. */
@FunctionalInterface
public interface TimerSource {

  Scheduler timersFor(HttpServerRequest request);

  /** Every request on one scheduler (tests, or a virtual-time scheduler). */
  static TimerSource fixed(Scheduler scheduler) {
    return request -> scheduler;
  }

  /**
   * Each request on its connection's Netty event loop, so the token timer fires on the thread that
   * encodes and writes the event. The wrappers are cached per loop (a handful) and never disposed:
   * disposing one would shut the event loop down.
   */
  static TimerSource eventLoops() {
    ConcurrentHashMap<EventExecutor, Scheduler> schedulers = new ConcurrentHashMap<>();
    return request -> {
      AtomicReference<EventExecutor> loop = new AtomicReference<>();
      request.withConnection(connection -> loop.set(connection.channel().eventLoop()));
      EventExecutor executor = loop.get();
      if (executor == null) {
        return Schedulers.parallel();
      }
      return schedulers.computeIfAbsent(
          executor, e -> Schedulers.fromExecutorService(e, "engine-sim-loop"));
    };
  }
}
