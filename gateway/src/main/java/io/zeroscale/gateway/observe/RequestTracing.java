package io.zeroscale.gateway.observe;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zeroscale.api.DeploymentSpec;
import org.springframework.http.HttpHeaders;

/**
 * The data plane's spans, on micrometer-tracing (the OpenTelemetry bridge, exported over OTLP with
 * Spring Boot's {@code management.tracing.*} and {@code management.opentelemetry.tracing.export.*}
 * properties; docs/operating.md):
 *
 * <ul>
 *   <li>{@value #REQUEST}: one inference request (kind server), a child of the client's {@code
 *       traceparent} when it sent a valid one (W3C propagation, Boot's {@code
 *       management.tracing.propagation.*}), with the tenant, deployment, family, stream flag and
 *       final status as attributes — never the key nor the body. Spring's own {@code
 *       http.server.requests} observation stays off (application.yml: it cost more CPU than the
 *       proxy hop), so this is the gateway's server span;
 *   <li>{@value #HOLD}: the wait for a slot, with whether the deployment was cold; a cold hold's
 *       context travels with the wake-up so that the activator's boot span is its child;
 *   <li>{@value #UPSTREAM}: the call to the instance, with its id; the instance's {@code
 *       traceparent} names this span.
 * </ul>
 *
 * <p>Lean when tracing is off: with {@code management.tracing.sampling.probability} at {@code 0.0}
 * (the standalone default) {@link #request} answers null after one field read, and every other
 * method passes null through: no span, no tag, no object per request, even for a client that sends
 * a sampled {@code traceparent} (it is still forwarded to the instance as a child, by {@link
 * TraceContext}). Above {@code 0.0}, an unsampled request costs the tracer's sampling decision and
 * its non-recording span, and nothing more from here.
 */
public final class RequestTracing {

  /** The inference request's span. */
  public static final String REQUEST = "zeroscale.request";

  /** The wait for a slot (queue or cold start). */
  public static final String HOLD = "zeroscale.hold";

  /** The call to the instance. */
  public static final String UPSTREAM = "zeroscale.upstream";

  /** Attribute names (OpenTelemetry style: namespaced, lowercase, dot-separated). */
  public static final String TENANT = "zeroscale.tenant";

  public static final String DEPLOYMENT = "zeroscale.deployment";
  public static final String FAMILY = "zeroscale.family";
  public static final String STREAM = "zeroscale.stream";
  public static final String STATUS = "http.response.status_code";
  public static final String INSTANCE = "zeroscale.instance";
  public static final String COLD = "zeroscale.cold";

  /** Tracing off: no span ever. */
  public static final RequestTracing OFF = new RequestTracing(Tracer.NOOP, Propagator.NOOP, 0);

  private static final Propagator.Getter<HttpHeaders> HEADERS = HttpHeaders::getFirst;

  private final Tracer tracer;
  private final Propagator propagator;
  private final boolean on;

  /**
   * @param probability Boot's {@code management.tracing.sampling.probability}: at 0 no request is
   *     traced
   */
  public RequestTracing(Tracer tracer, Propagator propagator, double probability) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.on = probability > 0 && tracer != Tracer.NOOP;
  }

  /**
   * The tracer's sampler for {@code management.tracing.sampling.probability} {@code p}: a root span
   * and a span whose parent came from elsewhere (a client's {@code traceparent}, a wake-up message)
   * are sampled by the trace id's ratio {@code p} whatever the parent's sampled flag, so a client
   * cannot have its requests traced and exported beyond the operator's share; a span whose parent
   * is in this process (the gateway's hold and upstream spans) follows that parent. Boot's default,
   * {@code parentBased(traceIdRatioBased(p))}, let a remote parent decide. The ratio depends only
   * on the trace id, so the gateway and the activator decide the same for the same trace.
   */
  public static Sampler sampler(double probability) {
    Sampler ratio = Sampler.traceIdRatioBased(probability);
    return Sampler.parentBasedBuilder(ratio)
        .setRemoteParentSampled(ratio)
        .setRemoteParentNotSampled(ratio)
        .build();
  }

  /** Whether any request may be traced. */
  public boolean on() {
    return on;
  }

  /**
   * The request's span, started, when the request is sampled (in the client's trace when its {@code
   * traceparent} is valid); null otherwise.
   */
  public Span request(HttpHeaders headers, String tenantId, DeploymentSpec spec, boolean stream) {
    if (!on) {
      return null;
    }
    Span span = propagator.extract(headers, HEADERS).name(REQUEST).kind(Span.Kind.SERVER).start();
    if (!sampled(span)) {
      span.abandon();
      return null;
    }
    return span.tag(TENANT, tenantId)
        .tag(DEPLOYMENT, spec.id())
        .tag(FAMILY, spec.family().wire())
        .tag(STREAM, stream);
  }

  /** A started child of {@code parent} named {@code name}; null when {@code parent} is null. */
  public Span child(Span parent, String name) {
    return parent == null ? null : tracer.nextSpan(parent).name(name).start();
  }

  /**
   * The W3C {@code traceparent} naming {@code span} (sampled), for the instance or the activator;
   * null when {@code span} is null.
   */
  public static String traceparent(Span span) {
    if (span == null) {
      return null;
    }
    TraceContext c = span.context();
    return new io.zeroscale.gateway.observe.TraceContext(
            c.traceId(), c.spanId(), Boolean.FALSE.equals(c.sampled()) ? 0 : 1)
        .header();
  }

  /** Ends {@code span} with the status the client got. */
  public static void end(Span span, int status) {
    if (span != null) {
      span.tag(STATUS, status);
      span.end();
    }
  }

  private static boolean sampled(Span span) {
    return !span.isNoop() && Boolean.TRUE.equals(span.context().sampled());
  }
}
