package io.zeroscale.sim;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zeroscale.sim.config.SimConfig;
import io.zeroscale.sim.engine.Admission;
import io.zeroscale.sim.engine.Engine;
import io.zeroscale.sim.engine.FaultInjector;
import io.zeroscale.sim.http.Readiness;
import io.zeroscale.sim.http.SimHandler;
import io.zeroscale.sim.http.TimerSource;
import io.zeroscale.sim.metrics.SimMetrics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A running simulator: the wiring of config, admission, engine, metrics and the HTTP server. Used
 * by {@link EngineSimMain} and, in-process, by tests and other modules.
 */
public final class EngineSim implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EngineSim.class);

  /** Largest multipart part accepted (OpenAI's audio upload limit): larger answers 413. */
  static final long MAX_UPLOAD_BYTES = 25L * 1024 * 1024;

  /** What the process does at lifecycle points; the main prints and halts, tests record. */
  public interface Hooks {
    /** The server is bound (port is the actual port when 0 was asked for). */
    void listening(String host, int port);

    /** {@code --startup-duration} has elapsed: /health is 200 from now on. */
    void ready();

    /**
     * {@code --crash-after-requests} was reached, or the model fails to boot ({@code
     * --fail-boot-for-models}); production halts the JVM with exit code 1.
     */
    void crash(String reason);
  }

  private final SimConfig config;
  private final DisposableServer server;
  private final Admission admission;
  private final SimMetrics metrics;
  private final Readiness readiness;

  private EngineSim(
      SimConfig config,
      DisposableServer server,
      Admission admission,
      SimMetrics metrics,
      Readiness readiness) {
    this.config = config;
    this.server = server;
    this.admission = admission;
    this.metrics = metrics;
    this.readiness = readiness;
  }

  /**
   * Starts with production time sources: token timers on each connection's event loop, the boot
   * timer on Reactor's parallel scheduler, the system clocks.
   */
  public static EngineSim start(SimConfig config, Hooks hooks) {
    return start(
        config,
        hooks,
        Schedulers.parallel(),
        TimerSource.eventLoops(),
        System::nanoTime,
        InstantSource.system());
  }

  /**
   * Binds, reports {@link Hooks#listening}, crashes if the model matches {@code
   * --fail-boot-for-models} or {@code --crash-after-requests=0}, then starts the boot clock.
   *
   * @param timers scheduler of every delay (boot, TTFT, ITL)
   * @param nanoTime monotonic clock for latency metrics
   * @param clock wall clock for {@code created} fields
   */
  public static EngineSim start(
      SimConfig config, Hooks hooks, Scheduler timers, LongSupplier nanoTime, InstantSource clock) {
    return start(config, hooks, timers, TimerSource.fixed(timers), nanoTime, clock);
  }

  private static EngineSim start(
      SimConfig config,
      Hooks hooks,
      Scheduler timers,
      TimerSource tokenTimers,
      LongSupplier nanoTime,
      InstantSource clock) {
    Admission admission = new Admission(config.maxNumSeqs(), config.maxWaitingQueueLength());
    SimMetrics metrics =
        new SimMetrics(
            config.primaryModelName(),
            admission::running,
            admission::waiting,
            admission::maxRunningSeen,
            config.maxNumSeqs());
    Engine engine =
        new Engine(
            config.timeToFirstToken(),
            config.interTokenLatency(),
            admission,
            new FaultInjector(config.failureInjectionRate(), config.seed()),
            metrics,
            timers,
            nanoTime);
    Readiness readiness = new Readiness(config.startupDuration(), timers, hooks::ready);
    SimHandler handler =
        new SimHandler(config, engine, metrics, readiness, clock, hooks::crash, tokenTimers);
    // The channel group lets disposeNow() wait for in-flight requests (graceful drain).
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    DisposableServer server =
        HttpServer.create()
            .host(config.host())
            .port(config.port())
            .channelGroup(connections)
            .httpFormDecoder(form -> form.maxInMemorySize(-1).maxSize(MAX_UPLOAD_BYTES))
            .handle(handler)
            .bindNow(Duration.ofSeconds(10));
    EngineSim sim = new EngineSim(config, server, admission, metrics, readiness);
    hooks.listening(config.host(), server.port());
    var bootFailure = config.bootFailure();
    if (bootFailure.isPresent()) {
      // A model that cannot load (the rollouts tests' failing revision): /health never turns 200.
      hooks.crash(
          "--fail-boot-for-models: model "
              + config.model()
              + (config.revision() == null ? "" : "@" + config.revision())
              + " matches '"
              + bootFailure.get()
              + "': failing to boot");
      return sim;
    }
    if (config.crashAfterRequests().isPresent() && config.crashAfterRequests().getAsLong() == 0) {
      hooks.crash("--crash-after-requests=0: crashing during boot");
      return sim;
    }
    readiness.start();
    return sim;
  }

  public int port() {
    return server.port();
  }

  public SimConfig config() {
    return config;
  }

  public SimMetrics metrics() {
    return metrics;
  }

  public Admission admission() {
    return admission;
  }

  public boolean isReady() {
    return readiness.isReady();
  }

  /**
   * Graceful stop: closes the listening socket at once (new connections are refused), waits up to
   * {@code timeout} for in-flight requests, including queued ones and streams, then closes the
   * rest.
   *
   * @return true when every in-flight request finished in time
   */
  public boolean drain(Duration timeout) {
    readiness.stop();
    try {
      server.disposeNow(timeout);
      return true;
    } catch (IllegalStateException e) {
      log.warn("drain timed out after {}: closing remaining connections", timeout);
      return false;
    }
  }

  /** Blocks until the server is disposed (the main thread's wait). */
  public void awaitDisposal() {
    server.onDispose().block();
  }

  @Override
  public void close() {
    drain(Duration.ofSeconds(5));
  }
}
