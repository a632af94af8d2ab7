package io.zeroscale.activator.loop;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The activator's operator metrics, all derived from what it already does (lifecycle events, the
 * end of a pass), so that no decision site carries meter calls:
 *
 * <ul>
 *   <li>{@code zeroscale.instance.boots} (counter): boots decided (a {@code requested} event);
 *   <li>{@code zeroscale.instance.failures{reason}} (counter): {@code boot} (failed before it was
 *       ready, or its launch was refused), {@code crash} (exited while ready), {@code health}
 *       (failed its health probes while ready), {@code orphan} (ended while no activator watched);
 *   <li>{@code zeroscale.instance.drains{reason}} and {@code zeroscale.instance.stops{reason}}
 *       (counters): {@code scale} (scale-down, rollout, deletion), {@code failed} (after a
 *       failure), {@code shutdown} (the application stops); stops also {@code drained} (the end of
 *       a drain);
 *   <li>{@code zeroscale.instances{phase}} (gauge): instances the leader tracks, per phase ({@code
 *       pending}, {@code starting}, {@code ready}, {@code draining}, {@code stopping}); 0 on a
 *       standby;
 *   <li>{@code zeroscale.coldstart.instance{deployment}} (timer): the instance's part of a cold
 *       start, from when it held its GPUs (process started, pod scheduled) to its first healthy
 *       probe; the gateway's {@code zeroscale.coldstart.gateway} is the whole wait;
 *   <li>{@code zeroscale.activator.pass} (timer): one reconcile pass of the leader.
 * </ul>
 *
 * The leader gauge ({@code zeroscale.activator.leader}) reads {@link Activator#isLeader()}. Events
 * come from the pass and from stop threads, so the state here is concurrent.
 */
public final class ActivatorMetrics {

  /** Records nothing. */
  public static final ActivatorMetrics NONE = new ActivatorMetrics(null);

  private static final String FAILED = "failed";
  private static final String SCALE = "scale";
  private static final String SHUTDOWN = "shutdown";

  private final MeterRegistry registry;
  private final Map<Phase, AtomicLong> phases = new EnumMap<>(Phase.class);

  /** The last event of each instance not yet stopped: the reason of its drain or stop. */
  private final Map<String, LifecycleEvent.Type> last = new ConcurrentHashMap<>();

  /** When each instance took its GPUs, until it is ready. */
  private final Map<String, Instant> scheduled = new ConcurrentHashMap<>();

  /** Cold-start timers by deployment id (removed with the deployment). */
  private final Map<String, Timer> coldStarts = new ConcurrentHashMap<>();

  private final Timer pass;

  public ActivatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Phase p : Phase.values()) {
      AtomicLong value = new AtomicLong();
      phases.put(p, value);
      if (registry != null) {
        Gauge.builder("zeroscale.instances", value, AtomicLong::get)
            .description("Instances the leading activator tracks, by phase")
            .tag("phase", p.wire())
            .register(registry);
      }
    }
    if (registry != null) {
      pass =
          Timer.builder("zeroscale.activator.pass")
              .description("Duration of one reconcile pass of the leading activator")
              .register(registry);
      counter("zeroscale.instance.boots", null, null);
      for (String r : new String[] {"boot", "crash", "health", "orphan"}) {
        counter("zeroscale.instance.failures", "reason", r);
      }
      for (String r : new String[] {SCALE, FAILED, SHUTDOWN}) {
        counter("zeroscale.instance.drains", "reason", r);
        counter("zeroscale.instance.stops", "reason", r);
      }
      counter("zeroscale.instance.stops", "reason", "drained");
    } else {
      pass = null;
    }
  }

  /** Registers the leader gauge of {@code activator}. */
  public void leader(Activator activator) {
    if (registry != null) {
      Gauge.builder("zeroscale.activator.leader", activator, a -> a.isLeader() ? 1 : 0)
          .description("1 while this activator holds the leader lease")
          .register(registry);
    }
  }

  private Counter counter(String name, String tag, String value) {
    Counter.Builder b = Counter.builder(name).description(describe(name));
    if (tag != null) {
      b = b.tag(tag, value);
    }
    return b.register(registry);
  }

  private static String describe(String name) {
    return switch (name) {
      case "zeroscale.instance.boots" -> "Instance boots the activator decided";
      case "zeroscale.instance.failures" -> "Instance failures, by reason";
      case "zeroscale.instance.drains" -> "Instances drained, by reason";
      default -> "Instances stopped, by reason";
    };
  }

  /** One lifecycle event, as {@link Events} writes it. */
  void event(LifecycleEvent e, String deployment) {
    if (registry == null) {
      return;
    }
    String id = e.instanceId();
    LifecycleEvent.Type before = last.put(id, e.type());
    switch (e.type()) {
      case REQUESTED -> counter("zeroscale.instance.boots", null, null).increment();
      case SCHEDULED -> {
        if (!"adopted".equals(e.detail())) {
          scheduled.put(id, e.at());
        }
      }
      case READY -> {
        Instant since = scheduled.remove(id);
        if (since != null) {
          coldStarts
              .computeIfAbsent(
                  e.deploymentId(),
                  d ->
                      Timer.builder("zeroscale.coldstart.instance")
                          .description(
                              "Instance part of a cold start: GPUs held to first healthy probe")
                          .tag("deployment", deployment)
                          .register(registry))
              .record(Duration.between(since, e.at()).toNanos(), TimeUnit.NANOSECONDS);
        }
      }
      case FAILED ->
          counter("zeroscale.instance.failures", "reason", failure(e.detail())).increment();
      case DRAINING ->
          counter("zeroscale.instance.drains", "reason", reason(e, before)).increment();
      default -> {
        // STOPPED
        last.remove(id);
        scheduled.remove(id);
        String reason =
            before == LifecycleEvent.Type.DRAINING && !SHUTDOWN.equals(e.detail())
                ? "drained"
                : reason(e, before);
        counter("zeroscale.instance.stops", "reason", reason).increment();
      }
    }
  }

  private static String reason(LifecycleEvent e, LifecycleEvent.Type before) {
    if (SHUTDOWN.equals(e.detail())) {
      return SHUTDOWN;
    }
    return before == LifecycleEvent.Type.FAILED ? FAILED : SCALE;
  }

  /** A failure's reason, from its detail (free text, never a tag) and the event before it. */
  static String failure(String detail) {
    String d = detail == null ? "" : detail;
    if (d.startsWith("ended while no activator watched")) {
      return "orphan";
    }
    if (d.equals("failed its health probes")) {
      return "health";
    }
    return d.startsWith("crashed") ? "crash" : "boot";
  }

  /** The end of a leader's pass: how long it took, what is tracked, which deployments live. */
  void passed(long nanos, Collection<Tracked> tracked, Set<String> deployments) {
    if (registry == null) {
      return;
    }
    pass.record(nanos, TimeUnit.NANOSECONDS);
    tracked(tracked);
    for (String id : Set.copyOf(coldStarts.keySet())) {
      if (!deployments.contains(id)) {
        Timer t = coldStarts.remove(id);
        if (t != null) {
          registry.remove(t);
        }
      }
    }
  }

  /** A standby tracks nothing: all gauges 0, and what it remembered of instances goes. */
  void following() {
    if (registry == null) {
      return;
    }
    tracked(List.of());
    last.clear();
    scheduled.clear();
  }

  /** The instances tracked now. */
  void tracked(Collection<Tracked> tracked) {
    if (registry == null) {
      return;
    }
    Map<Phase, Long> counts =
        tracked.stream().collect(Collectors.groupingBy(t -> t.phase, Collectors.counting()));
    phases.forEach((p, v) -> v.set(counts.getOrDefault(p, 0L)));
  }
}
