package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.observe.Metering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * A held request's response, on virtual time: untouched when the wait is short, kept alive with SSE
 * comments when a stream waits long, and ending with an OpenAI error event when the wait or the
 * instance fails after the response was committed.
 */
class HeldRequestsTest {

  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private static final JsonMapper JSON = JsonMapper.builder().build();
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
          1,
          new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true),
          DeploymentStatus.SCALED_TO_ZERO,
          null,
          1,
          1,
          EngineOptions.NONE,
          1);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong();
  private final DeploymentQueue queue = new DeploymentQueue("acme/chat", 10, nanos::get);
  private final RecordingResponse response = new RecordingResponse();
  private final RequestMeter meter =
      new RequestMeter(new Metering(registry), SPEC, true, nanos::get);
  private final List<ServerHttpResponse> forwardedTo = new ArrayList<>();

  private static InstanceEndpoint ready() {
    return new InstanceEndpoint("i1", "d1", "http://127.0.0.1:9", InstanceEndpoint.State.READY, 1);
  }

  /** Stands in for Spring Cloud Gateway's routing and write filters: status, headers, body. */
  private HeldRequests.Forward upstream(int status, MediaType type, String... chunks) {
    return (lease, target) -> {
      forwardedTo.add(target);
      target.setStatusCode(HttpStatus.valueOf(status));
      target.getHeaders().setContentType(type);
      target.getHeaders().set("x-upstream", "yes");
      Flux<Mono<DataBuffer>> body =
          Flux.fromArray(chunks)
              .map(c -> Mono.just(target.bufferFactory().wrap(c.getBytes(StandardCharsets.UTF_8))));
      return target.writeAndFlushWith(body);
    };
  }

  private HeldRequests.Forward events() {
    return upstream(200, MediaType.TEXT_EVENT_STREAM, "data: {\"n\":1}\n\n", "data: [DONE]\n\n");
  }

  /** The held request, built inside the virtual-time supplier so its timers are virtual. */
  private Mono<Void> serve(boolean stream, HeldRequests.Forward forward) {
    HeldRequests held = new HeldRequests(KEEP_ALIVE, Schedulers.parallel(), JSON);
    Mono<SlotLease> slot =
        queue
            .acquire(Duration.ofSeconds(60), Schedulers.parallel())
            .onErrorMap(
                java.util.concurrent.TimeoutException.class,
                e ->
                    new ZeroscaleException(
                        OpenAiError.of(504, "timed out", null, "activation_timeout")));
    return held.serve(response, slot, true, stream, meter, forward);
  }

  @Test
  void aShortColdStartLeavesTheResponseToTheProxyAndSaysHowLongItWaited() {
    StepVerifier.withVirtualTime(() -> serve(true, events()))
        .thenAwait(Duration.ofSeconds(14))
        .then(() -> assertThat(response.isCommitted()).isFalse())
        .then(
            () -> {
              nanos.set(Duration.ofMillis(14_200).toNanos());
              queue.reconfigure(List.of(ready()), 1, 10, 1, 0);
            })
        .verifyComplete();
    assertThat(forwardedTo).containsExactly(response);
    assertThat(response.getHeaders().getFirst(HoldHeaders.COLD_START)).isEqualTo("true");
    assertThat(response.getHeaders().getFirst(HoldHeaders.COLD_START_WAIT_MS)).isEqualTo("14200");
    assertThat(response.getHeaders().getFirst("x-upstream")).isEqualTo("yes");
    assertThat(response.body()).doesNotContain("waiting").startsWith("data: {\"n\":1}");
    assertThat(queue.inFlight()).as("the slot went back").isZero();
  }

  @Test
  void aLongWaitingStreamGetsCommentsEveryKeepAliveThenTheInstancesEventsInTheSameBody() {
    StepVerifier.withVirtualTime(() -> serve(true, events()))
        .thenAwait(KEEP_ALIVE)
        .then(
            () -> {
              assertThat(response.isCommitted()).isTrue();
              assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
              assertThat(response.getHeaders().getContentType())
                  .isEqualTo(MediaType.TEXT_EVENT_STREAM);
              assertThat(response.getHeaders().getFirst(HoldHeaders.COLD_START)).isEqualTo("true");
              assertThat(response.flushes).containsExactly(HeldRequests.WAITING);
            })
        .thenAwait(KEEP_ALIVE.multipliedBy(2))
        .then(() -> assertThat(response.flushes).hasSize(3))
        .then(
            () -> {
              nanos.set(Duration.ofSeconds(50).toNanos());
              queue.reconfigure(List.of(ready()), 1, 10, 1, 0);
            })
        .verifyComplete();
    assertThat(forwardedTo).singleElement().isNotSameAs(response);
    assertThat(response.flushes)
        .containsExactly(
            HeldRequests.WAITING,
            HeldRequests.WAITING,
            HeldRequests.WAITING,
            ": instance ready after 50000 ms\n\n",
            "data: {\"n\":1}\n\n",
            "data: [DONE]\n\n");
    assertThat(response.getHeaders().getFirst("x-upstream"))
        .as("too late for the instance's headers")
        .isNull();
    assertThat(queue.inFlight()).isZero();
  }

  @Test
  void aHoldThatFailsAfterTheCommitEndsWithAnOpenAiErrorEvent() {
    StepVerifier.withVirtualTime(() -> serve(true, events()))
        .thenAwait(Duration.ofSeconds(60))
        .verifyComplete();
    // Comments at 15, 30 and 45 s; the timeout at 60 s wins over the fourth.
    assertThat(response.flushes).hasSize(4);
    assertThat(response.flushes.getLast())
        .startsWith("data: {\"error\":{")
        .contains("\"code\":\"activation_timeout\"")
        .contains("\"type\":\"timeout_error\"")
        .endsWith("}}\n\n");
    assertThat(queue.queued()).isZero();
    meter.record(response, reactor.core.publisher.SignalType.ON_COMPLETE);
    assertThat(registry.get(Metering.Metric.REQUESTS.id()).tag("status", "5xx").counter().count())
        .as("metered as the 504 it was, not as the 200 the client saw")
        .isEqualTo(1);
  }

  @Test
  void aFailedDeploymentAfterTheCommitEndsTheStreamAtOnceWithItsReason() {
    StepVerifier.withVirtualTime(() -> serve(true, events()))
        .thenAwait(KEEP_ALIVE)
        .then(
            () ->
                queue.refuse(
                    new ZeroscaleException(
                        OpenAiError.of(503, "crash loop", null, "deployment_failed"))))
        .verifyComplete();
    assertThat(response.flushes)
        .containsExactly(
            HeldRequests.WAITING,
            "data: {\"error\":{\"message\":\"crash loop\",\"type\":\"service_unavailable_error\","
                + "\"param\":null,\"code\":\"deployment_failed\"}}\n\n");
  }

  @Test
  void anInstanceThatRefusesAfterTheCommitBecomesAnErrorEventWithItsOwnMessage() {
    HeldRequests.Forward refusing =
        upstream(
            400,
            MediaType.APPLICATION_JSON,
            "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\","
                + "\"param\":null,\"code\":400}}");
    StepVerifier.withVirtualTime(() -> serve(true, refusing))
        .thenAwait(KEEP_ALIVE)
        .then(() -> queue.reconfigure(List.of(ready()), 1, 10, 1, 0))
        .verifyComplete();
    assertThat(response.flushes.getLast())
        .isEqualTo(
            "data: {\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\","
                + "\"param\":null,\"code\":null}}\n\n");
    assertThat(queue.inFlight()).isZero();
  }

  @Test
  void aNonStreamingRequestIsNeverCommittedWhileItWaits() {
    StepVerifier.withVirtualTime(() -> serve(false, events()))
        .thenAwait(Duration.ofSeconds(59))
        .then(() -> assertThat(response.isCommitted()).isFalse())
        .thenAwait(Duration.ofSeconds(1))
        .expectErrorSatisfies(
            e ->
                assertThat(((ZeroscaleException) e).error().code()).isEqualTo("activation_timeout"))
        .verify();
    assertThat(response.flushes).isEmpty();
  }

  @Test
  void aClientThatGoesAwayWhileHeldLeavesTheQueueAndStopsTheComments() {
    StepVerifier.withVirtualTime(() -> serve(true, events()))
        .thenAwait(KEEP_ALIVE)
        .then(() -> assertThat(queue.queued()).isEqualTo(1))
        .thenCancel()
        .verify();
    assertThat(queue.queued()).isZero();
    queue.reconfigure(List.of(ready()), 1, 10, 1, 0);
    assertThat(queue.inFlight()).isZero();
    assertThat(response.flushes).containsExactly(HeldRequests.WAITING);
  }

  @Test
  void aRequestThatOnlyWaitedForABusySlotSaysSoWithoutTheColdStartHeader() {
    queue.reconfigure(List.of(ready()), 1, 10, 1, 0);
    SlotLease busy = queue.acquire().block();
    HeldRequests held = new HeldRequests(KEEP_ALIVE, Schedulers.immediate(), JSON);
    Mono<Void> served = held.serve(response, queue.acquire(), false, false, meter, events());
    StepVerifier.create(served)
        .then(
            () -> {
              nanos.set(Duration.ofMillis(250).toNanos());
              busy.release();
            })
        .verifyComplete();
    assertThat(response.getHeaders().getFirst(HoldHeaders.QUEUE_WAIT_MS)).isEqualTo("250");
    assertThat(response.getHeaders().getFirst(HoldHeaders.COLD_START)).isNull();
  }

  @Test
  void aRequestServedOnArrivalCarriesNoWaitHeaders() {
    queue.reconfigure(List.of(ready()), 1, 10, 1, 0);
    HeldRequests held = new HeldRequests(KEEP_ALIVE, Schedulers.immediate(), JSON);
    StepVerifier.create(held.serve(response, queue.acquire(), false, true, meter, events()))
        .verifyComplete();
    assertThat(response.getHeaders().headerNames())
        .doesNotContain(
            HoldHeaders.COLD_START, HoldHeaders.COLD_START_WAIT_MS, HoldHeaders.QUEUE_WAIT_MS);
  }

  @Test
  void upstreamErrorsThatAreNotJsonStillGetTheOpenAiShape() {
    HeldRequests held = new HeldRequests(KEEP_ALIVE, Schedulers.immediate(), JSON);
    OpenAiError e = held.upstreamError(502, "<html>bad gateway</html>");
    assertThat(e.status()).isEqualTo(502);
    assertThat(e.code()).isEqualTo("upstream_error");
    assertThat(held.upstreamError(400, "{\"object\":\"error\",\"message\":\"bad\"}").message())
        .isEqualTo("bad");
  }
}
