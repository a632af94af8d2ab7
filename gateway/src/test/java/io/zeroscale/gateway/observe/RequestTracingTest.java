package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class RequestTracingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
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

  private final List<SpanData> finished = new CopyOnWriteArrayList<>();
  private SdkTracerProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private RequestTracing tracing(Sampler sampler, double probability) {
    SpanExporter exporter =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            finished.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    provider =
        SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(sampler))
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    var otel = provider.get("test");
    return new RequestTracing(
        new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {}),
        new OtelPropagator(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel),
        probability);
  }

  private static HttpHeaders headers(String traceparent) {
    HttpHeaders h = new HttpHeaders();
    h.add("Authorization", "Bearer zs-secret");
    if (traceparent != null) {
      h.add("traceparent", traceparent);
    }
    return h;
  }

  private SpanData named(String name) {
    return finished.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aTracedRequestIsInTheClientsTraceWithItsHoldAndUpstreamCallAsChildren() {
    RequestTracing tracing = tracing(Sampler.alwaysOff(), 1.0);
    Span request =
        tracing.request(headers("00-" + TRACE + "-" + CLIENT_SPAN + "-01"), "t1", SPEC, true);
    assertThat(request).isNotNull();
    Span hold = tracing.child(request, RequestTracing.HOLD);
    RequestTracing.end(hold, 200);
    Span upstream = tracing.child(request, RequestTracing.UPSTREAM);
    String traceparent = RequestTracing.traceparent(upstream);
    RequestTracing.end(upstream, 200);
    RequestTracing.end(request, 200);

    assertThat(traceparent)
        .isEqualTo("00-" + TRACE + "-" + upstream.context().spanId() + "-01")
        .isNotEqualTo("00-" + TRACE + "-" + CLIENT_SPAN + "-01");
    SpanData r = named(RequestTracing.REQUEST);
    assertThat(r.getTraceId()).isEqualTo(TRACE);
    assertThat(r.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(r.getAttributes().get(AttributeKey.stringKey(RequestTracing.TENANT)))
        .isEqualTo("t1");
    assertThat(r.getAttributes().get(AttributeKey.stringKey(RequestTracing.DEPLOYMENT)))
        .isEqualTo("d1");
    assertThat(r.getAttributes().get(AttributeKey.stringKey(RequestTracing.FAMILY)))
        .isEqualTo("llm");
    assertThat(r.getAttributes().get(AttributeKey.booleanKey(RequestTracing.STREAM))).isTrue();
    assertThat(r.getAttributes().get(AttributeKey.longKey(RequestTracing.STATUS))).isEqualTo(200);
    assertThat(r.getAttributes().asMap().toString()).doesNotContain("zs-secret");
    assertThat(named(RequestTracing.HOLD).getParentSpanId()).isEqualTo(r.getSpanId());
    assertThat(named(RequestTracing.UPSTREAM).getParentSpanId()).isEqualTo(r.getSpanId());
  }

  @Test
  void withoutAClientTraceTheRequestStartsOne() {
    RequestTracing tracing = tracing(Sampler.alwaysOn(), 1.0);
    Span request = tracing.request(headers(null), "t1", SPEC, false);
    RequestTracing.end(request, 504);
    SpanData r = named(RequestTracing.REQUEST);
    assertThat(r.getParentSpanContext().isValid()).isFalse();
    assertThat(r.getAttributes().get(AttributeKey.longKey(RequestTracing.STATUS))).isEqualTo(504);
  }

  @Test
  void anUnsampledRequestGetsNoSpanAndEverythingPassesNullThrough() {
    RequestTracing unsampled = tracing(Sampler.alwaysOff(), 1.0);
    assertThat(unsampled.request(headers(null), "t1", SPEC, false)).isNull();
    assertThat(
            unsampled.request(
                headers("00-" + TRACE + "-" + CLIENT_SPAN + "-00"), "t1", SPEC, false))
        .isNull();
    assertThat(unsampled.child(null, RequestTracing.HOLD)).isNull();
    assertThat(RequestTracing.traceparent(null)).isNull();
    RequestTracing.end(null, 200);
    assertThat(finished).isEmpty();
  }

  @Test
  void atProbabilityZeroNothingIsTracedEvenForASampledClientTrace() {
    RequestTracing off = tracing(Sampler.alwaysOn(), 0.0);
    assertThat(off.on()).isFalse();
    assertThat(off.request(headers("00-" + TRACE + "-" + CLIENT_SPAN + "-01"), "t1", SPEC, true))
        .isNull();
    assertThat(RequestTracing.OFF.request(headers(null), "t1", SPEC, true)).isNull();
    assertThat(finished).isEmpty();
  }
}
