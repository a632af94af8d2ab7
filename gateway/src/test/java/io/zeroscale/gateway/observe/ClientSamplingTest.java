package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/**
 * Security review (hG): with Boot's sampler ({@code parentBased(traceIdRatioBased(p))}, as
 * OpenTelemetryTracingAutoConfiguration builds it), a client's sampled {@code traceparent} decides
 * for the operator's probability: every request that sends {@code -01} is traced and exported, in a
 * trace id the client chose. Pins today's behaviour; the fix (remote parents sampled by ratio)
 * turns the second assertion around.
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

  @Test
  void aClientSampledTraceparentIsTracedWhateverTheProbability() {
    double probability = 1e-9; // an operator who samples almost nothing
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(probability)))
            .build()) {
      var otel = provider.get("test");
      RequestTracing tracing =
          new RequestTracing(
              new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {}),
              new OtelPropagator(
                  ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel),
              probability);

      int traced = 0;
      for (int i = 0; i < 100; i++) {
        if (tracing.request(new HttpHeaders(), "t1", SPEC, false) != null) {
          traced++;
        }
      }
      assertThat(traced).isZero();

      HttpHeaders forced = new HttpHeaders();
      forced.add("traceparent", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01");
      Span span = tracing.request(forced, "t1", SPEC, false);
      assertThat(span).isNotNull();
      assertThat(span.context().traceId()).isEqualTo("0123456789abcdef0123456789abcdef");
      RequestTracing.end(span, 200);
    }
  }
}
