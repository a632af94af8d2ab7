package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/**
 * Security review (hG): with Boot's sampler ({@code parentBased(traceIdRatioBased(p))}) a client's
 * sampled {@code traceparent} decided for the operator's probability. With {@link
 * RequestTracing#sampler} a remote parent no longer decides, the trace id's ratio does; the
 * gateway's own child spans still follow their (local) parent, and a client's trace id is still
 * continued when the request is sampled.
 */
class ClientSamplingTest {

  private static final DeploymentSpec SPEC =
      new DeploymentSpec(
          "d1",
          "t1",
          "acme",
          "chat",
          Family.LLM,
          "hf://a/b@main",
          "A100-80GB",
          1,
          8,
          new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true),
          DeploymentStatus.DEPLOYING,
          null,
          1,
          1,
          EngineOptions.NONE,
          1);

  private static final String CLIENT_TRACE = "0123456789abcdef0123456789abcdef";

  private static HttpHeaders parent(String flags) {
    HttpHeaders h = new HttpHeaders();
    h.add("traceparent", "00-" + CLIENT_TRACE + "-0123456789abcdef-" + flags);
    return h;
  }

  private interface Body {
    void run(RequestTracing tracing);
  }

  private static void withSampler(double probability, Body body) {
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder().setSampler(RequestTracing.sampler(probability)).build()) {
      var otel = provider.get("test");
      body.run(
          new RequestTracing(
              new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {}),
              new OtelPropagator(
                  ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel),
              probability));
    }
  }

  @Test
  void aClientSampledTraceparentDoesNotForceTracing() {
    withSampler(
        1e-9, // an operator who samples almost nothing
        tracing -> {
          int traced = 0;
          for (int i = 0; i < 100; i++) {
            if (tracing.request(new HttpHeaders(), "t1", SPEC, false) != null) {
              traced++;
            }
            if (tracing.request(parent("01"), "t1", SPEC, false) != null) {
              traced++;
            }
          }
          assertThat(traced).isZero();
          // the instance still gets a child of the client's trace (the untraced path)
          TraceContext child =
              TraceContext.parse(TraceContext.child(parent("01").getFirst("traceparent")))
                  .orElseThrow();
          assertThat(child.traceId()).isEqualTo(CLIENT_TRACE);
          assertThat(child.spanId()).isNotEqualTo("0123456789abcdef");
        });
  }

  @Test
  void aSampledRequestContinuesTheClientsTraceAndItsChildrenFollowIt() {
    withSampler(
        1.0,
        tracing -> {
          // even an unsampled flag does not decide: the operator's ratio does
          for (String flags : new String[] {"01", "00"}) {
            Span span = tracing.request(parent(flags), "t1", SPEC, false);
            assertThat(span).as(flags).isNotNull();
            assertThat(span.context().traceId()).isEqualTo(CLIENT_TRACE);
            Span upstream = tracing.child(span, RequestTracing.UPSTREAM);
            assertThat(upstream.context().sampled()).isTrue();
            assertThat(RequestTracing.traceparent(upstream))
                .startsWith("00-" + CLIENT_TRACE + "-")
                .endsWith("-01");
            upstream.end();
            RequestTracing.end(span, 200);
          }
        });
  }

  @Test
  void localChildrenFollowTheirParentWhateverTheRatio() {
    // a ratio that samples the client's trace id (its low 64 bits are under 0.01 of the range)
    // at 1 %, and what the gateway starts under a sampled span stays sampled
    withSampler(
        0.01,
        tracing -> {
          Span span = tracing.request(parent("00"), "t1", SPEC, false);
          assertThat(span).isNotNull();
          Span hold = tracing.child(span, RequestTracing.HOLD);
          assertThat(hold.context().sampled()).isTrue();
          hold.end();
          RequestTracing.end(span, 200);
        });
  }
}
