package io.zeroscale.activator.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zeroscale.activator.events.LifecycleEvent.Type;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BootTracingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String HOLD = "00f067aa0ba902b7";
  private static final String WAKE_UP = "d 00-" + TRACE + "-" + HOLD + "-01";

  private final List<SpanData> finished = new CopyOnWriteArrayList<>();
  private SdkTracerProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private BootTracing tracing(Sampler sampler) {
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
    return new BootTracing(
        new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {}),
        new OtelPropagator(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel));
  }

  private static Tracked instance(String id) {
    return new Tracked(id, ActivatorLoopTest.spec("d", 0, 1), Phase.PENDING, Instant.EPOCH);
  }

  private static String attribute(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void aWakeUpMessageGivesTheDeploymentIdWithOrWithoutATraceContext() {
    assertThat(BootTracing.OFF.wakeUp("d")).isEqualTo("d");
    assertThat(BootTracing.OFF.wakeUp(WAKE_UP)).isEqualTo("d");
    assertThat(tracing(Sampler.alwaysOn()).wakeUp(WAKE_UP)).isEqualTo("d");
  }

  @Test
  void theBootOfAWokenDeploymentIsAChildOfTheWakingHoldWithItsStagesAsEvents() {
    BootTracing tracing = tracing(Sampler.alwaysOff());
    tracing.wakeUp(WAKE_UP);
    Tracked t = instance("i-1");

    tracing.on(t, Type.REQUESTED);
    tracing.on(t, Type.SCHEDULED);
    assertThat(finished).as("open until healthy").isEmpty();
    tracing.on(t, Type.READY);
    tracing.on(t, Type.STOPPED);

    assertThat(finished).hasSize(1);
    SpanData boot = finished.getFirst();
    assertThat(boot.getName()).isEqualTo(BootTracing.BOOT);
    assertThat(boot.getTraceId())
        .as("sampled by its parent, not the root sampler")
        .isEqualTo(TRACE);
    assertThat(boot.getParentSpanId()).isEqualTo(HOLD);
    assertThat(boot.getEvents())
        .extracting(EventData::getName)
        .containsExactly("launch", "scheduled", "healthy");
    assertThat(attribute(boot, "zeroscale.deployment")).isEqualTo("d");
    assertThat(attribute(boot, "zeroscale.instance")).isEqualTo("i-1");
    assertThat(attribute(boot, "zeroscale.boot.outcome")).isEqualTo("healthy");

    // The context was for one boot: the next instance starts a trace of its own (here unsampled).
    tracing.on(instance("i-2"), Type.REQUESTED);
    tracing.on(instance("i-2"), Type.READY);
    assertThat(finished).hasSize(1);
  }

  @Test
  void aFailedBootEndsItsSpanWithoutTheDetail() {
    BootTracing tracing = tracing(Sampler.alwaysOn());
    Tracked t = instance("i-3");

    tracing.on(t, Type.REQUESTED);
    tracing.on(t, Type.FAILED);
    tracing.on(t, Type.STOPPED);

    assertThat(finished).hasSize(1);
    SpanData boot = finished.getFirst();
    assertThat(boot.getParentSpanContext().isValid()).as("no wake-up: a root").isFalse();
    assertThat(attribute(boot, "zeroscale.boot.outcome")).isEqualTo("failed");
    assertThat(boot.getEvents()).extracting(EventData::getName).containsExactly("launch", "failed");
  }

  @Test
  void offRecordsNothing() {
    Tracked t = instance("i-4");
    BootTracing.OFF.wakeUp(WAKE_UP);
    BootTracing.OFF.on(t, Type.REQUESTED);
    BootTracing.OFF.on(t, Type.READY);
    assertThat(finished).isEmpty();
  }
}
