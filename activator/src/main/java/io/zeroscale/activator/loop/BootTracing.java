package io.zeroscale.activator.loop;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.zeroscale.activator.events.LifecycleEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The boot span of each instance, {@value #BOOT}: from the decision to start it ({@code launch}
 * event) through {@code scheduled} (it holds its GPUs) to {@code healthy} (it answered {@code
 * /health} and is published), where it ends; a failed or stopped boot ends it with {@code
 * zeroscale.boot.outcome} {@code failed} or {@code stopped}. Attributes: deployment, instance id,
 * GPU type — never the detail of a failure (it may quote a command line).
 *
 * <p>The link to the request that woke the deployment up goes through the wake-up message: a traced
 * gateway publishes {@code "<deployment id> <traceparent>"} (its hold span), and the next instance
 * launched for that deployment starts its boot span as that span's child, so one trace shows
 * request → hold → boot → upstream call. A boot with no traced wake-up (a scale-up, {@code
 * min_instances}) starts a trace of its own, sampled like any other.
 */
public final class BootTracing {

  /** The boot span's name. */
  public static final String BOOT = "zeroscale.boot";

  /** Tracing off. */
  public static final BootTracing OFF = new BootTracing(Tracer.NOOP, Propagator.NOOP);

  private static final Propagator.Getter<String> TRACEPARENT =
      (traceparent, key) -> "traceparent".equals(key) ? traceparent : null;

  private final Tracer tracer;
  private final Propagator propagator;
  private final Map<String, String> wakeUps = new ConcurrentHashMap<>();
  private final Map<String, Span> boots = new ConcurrentHashMap<>();

  public BootTracing(Tracer tracer, Propagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /**
   * Reads a wake-up message, {@code "<deployment id>"} or {@code "<deployment id> <traceparent>"};
   * remembers the trace context and answers the deployment id.
   */
  String wakeUp(String message) {
    int space = message.indexOf(' ');
    if (space < 0) {
      return message;
    }
    String deploymentId = message.substring(0, space);
    if (tracer != Tracer.NOOP) {
      wakeUps.put(deploymentId, message.substring(space + 1).strip());
    }
    return deploymentId;
  }

  /** Follows an instance's lifecycle event. */
  void on(Tracked t, LifecycleEvent.Type type) {
    if (tracer == Tracer.NOOP) {
      return;
    }
    switch (type) {
      case REQUESTED -> start(t);
      case SCHEDULED -> event(t, "scheduled");
      case READY -> {
        end(t, "healthy", null);
        // Wake-ups that arrived while it booted were for this boot: none may name a later one.
        wakeUps.remove(t.spec.id());
      }
      case FAILED -> end(t, "failed", "failed");
      case STOPPED -> end(t, null, "stopped");
      default -> {
        // DRAINING: the boot span has ended long before
      }
    }
  }

  private void start(Tracked t) {
    String traceparent = wakeUps.remove(t.spec.id());
    Span span =
        (traceparent == null
                ? tracer.spanBuilder().setNoParent()
                : propagator.extract(traceparent, TRACEPARENT))
            .name(BOOT)
            .start();
    if (span.isNoop() || !Boolean.TRUE.equals(span.context().sampled())) {
      span.abandon();
      return;
    }
    span.tag("zeroscale.deployment", t.spec.id())
        .tag("zeroscale.instance", t.id)
        .tag("zeroscale.gpu", t.gpu())
        .event("launch");
    boots.put(t.id, span);
  }

  private void event(Tracked t, String name) {
    Span span = boots.get(t.id);
    if (span != null) {
      span.event(name);
    }
  }

  private void end(Tracked t, String event, String outcome) {
    Span span = boots.remove(t.id);
    if (span == null) {
      return;
    }
    if (event != null) {
      span.event(event);
    }
    span.tag("zeroscale.boot.outcome", outcome == null ? "healthy" : outcome).end();
  }
}
