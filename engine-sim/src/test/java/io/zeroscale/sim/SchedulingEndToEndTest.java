package io.zeroscale.sim;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.sim.openai.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Concurrency limits, queueing, cancellation, fault injection and stream pacing over HTTP. */
class SchedulingEndToEndTest {

  private static String chat(int maxTokens, boolean stream) {
    return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":"
        + maxTokens
        + ",\"stream\":"
        + stream
        + "}";
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(RunningSim sim, String body) {
    return RunningSim.HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(sim.url("/v1/chat/completions")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A raw client, so that a test can hang up mid-request exactly when it wants to. */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader reader;

    RawClient(RunningSim sim, String body) throws IOException {
      socket = new Socket("127.0.0.1", sim.port());
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      socket
          .getOutputStream()
          .write(
              ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + bytes.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      reader =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    String readUntilEvent() throws IOException {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          return line;
        }
      }
      throw new IOException("connection closed before an event");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void nineConcurrentRequestsWithEightSeqsLeaveOneWaiting() {
    try (RunningSim sim =
        RunningSim.start(
            RunningSim.config().maxNumSeqs(8).interTokenLatency(Duration.ofMillis(100)))) {
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      // 100 tokens at 100 ms keep the first eight running for 10 s: the "8 running + 1 waiting"
      // state lasts that long, so a loaded machine slow to send the requests or to poll still sees
      // it. The eight go first and the ninth only once they hold every slot, so that the one left
      // waiting is the short ninth, and the test lasts 10 s rather than twice that.
      for (int i = 0; i < 8; i++) {
        responses.add(postAsync(sim, chat(100, false)));
      }
      await()
          .atMost(15, SECONDS)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> sim.metric("vllm:num_requests_running") == 8);
      responses.add(postAsync(sim, chat(1, false)));
      await()
          .atMost(15, SECONDS)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  sim.metric("vllm:num_requests_running") == 8
                      && sim.metric("vllm:num_requests_waiting") == 1);
      for (CompletableFuture<HttpResponse<String>> response : responses) {
        assertThat(response.join().statusCode()).isEqualTo(200);
      }
      assertThat(sim.metric("sim:max_num_requests_running_seen")).isEqualTo(8);
      assertThat(sim.metric("vllm:num_requests_running")).isZero();
      assertThat(sim.metric("vllm:num_requests_waiting")).isZero();
      assertThat(sim.metric("vllm:e2e_request_latency_seconds_count")).isEqualTo(9);
      // TTFT is 0, but the ninth waited for a slot (until one of the eight finished) and TTFT
      // counts the wait; how long it waited depends on the machine, so only its sign is sure.
      assertThat(sim.metric("vllm:time_to_first_token_seconds_sum")).isGreaterThan(0.0);
    }
  }

  @Test
  void streamEventsArriveOneInterTokenLatencyApart() throws IOException, InterruptedException {
    int tokens = 20;
    long itlMs = 50;
    try (RunningSim sim =
        RunningSim.start(RunningSim.config().interTokenLatency(Duration.ofMillis(itlMs)))) {
      HttpResponse<Stream<String>> response =
          RunningSim.HTTP.send(
              HttpRequest.newBuilder(URI.create(sim.url("/v1/chat/completions")))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(chat(tokens, true)))
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
      List<Long> arrivals = new ArrayList<>();
      try (Stream<String> lines = response.body()) {
        lines
            .filter(
                l ->
                    l.startsWith("data: {")
                        && l.contains("\"content\":\"")
                        && !l.contains("\"role\""))
            .forEach(l -> arrivals.add(System.nanoTime()));
      }
      assertThat(arrivals).hasSize(tokens);
      // The events carry no timestamp of their own, so their pacing is seen from the client, whose
      // reader a loaded machine deschedules: lines then pile up and are read in bursts, and timers
      // fire late. Gaps between single events (a median gap, an upper bound) therefore measure the
      // machine. What cannot shrink is the span: the engine's fixed-rate timer never emits the last
      // token before (n - 1) × ITL after the first is due, so a stream written as it is generated
      // spans about that much at the client, while a response written at the end (or in a few big
      // batches) arrives all at once. Half of it leaves the client's reader a stall of half the
      // stream (~0.5 s) before the first event before the check could flake.
      long spanMs = (arrivals.getLast() - arrivals.getFirst()) / 1_000_000;
      assertThat(spanMs)
          .as("ms from the first to the last token event")
          .isGreaterThanOrEqualTo((tokens - 1) * itlMs / 2);
    }
  }

  @Test
  void aClientHangingUpMidStreamFreesTheSlotAndCountsAsCancelled() throws IOException {
    try (RunningSim sim =
        RunningSim.start(
            RunningSim.config().maxNumSeqs(1).interTokenLatency(Duration.ofMillis(50)))) {
      // 1000 tokens × 50 ms = 50 s: the stream cannot end by itself while the hang-up is detected
      // (which a loaded machine may take seconds to do), so a free slot means a cancelled request.
      try (RawClient client = new RawClient(sim, chat(1000, true))) {
        assertThat(client.readUntilEvent()).contains("chat.completion.chunk");
        assertThat(sim.sim.admission().running()).isEqualTo(1);
      }
      await()
          .atMost(10, SECONDS)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> sim.sim.admission().running() == 0);
      assertThat(sim.sim.metrics().cancelledTotal()).isEqualTo(1);
      assertThat(sim.sim.metrics().successTotal()).isZero();
      // The freed slot serves the next request at once.
      assertThat(sim.post("/v1/chat/completions", chat(1, false)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aClientHangingUpBeforeANonStreamAnswerFreesTheSlotAtOnce() throws IOException {
    try (RunningSim sim =
        RunningSim.start(
            RunningSim.config().maxNumSeqs(1).interTokenLatency(Duration.ofMillis(50)))) {
      // 1000 tokens × 50 ms = 50 s of "generation" that nobody will read: far longer than the
      // hang-up takes to be detected, even on a loaded machine, so the slot can only come back
      // through the cancellation.
      try (RawClient client = new RawClient(sim, chat(1000, false))) {
        await()
            .atMost(5, SECONDS)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> sim.sim.admission().running() == 1);
      }
      await()
          .atMost(10, SECONDS)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> sim.sim.admission().running() == 0);
      assertThat(sim.sim.metrics().cancelledTotal()).isEqualTo(1);
      assertThat(sim.sim.metrics().successTotal()).isZero();
    }
  }

  @Test
  void aClientHangingUpWhileQueuedLeavesTheQueue() throws IOException {
    try (RunningSim sim =
        RunningSim.start(
            RunningSim.config().maxNumSeqs(1).interTokenLatency(Duration.ofMillis(50)))) {
      // 1000 tokens × 50 ms = 50 s: still running when the queued one is seen gone, however long
      // a loaded machine takes to notice the hang-up.
      try (RawClient running = new RawClient(sim, chat(1000, true))) {
        running.readUntilEvent();
        try (RawClient queued = new RawClient(sim, chat(5, false))) {
          await()
              .atMost(5, SECONDS)
              .pollInterval(Duration.ofMillis(10))
              .until(() -> sim.metric("vllm:num_requests_waiting") == 1);
        }
        await()
            .atMost(10, SECONDS)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> sim.metric("vllm:num_requests_waiting") == 0);
        assertThat(sim.metric("sim:requests_cancelled_total")).isEqualTo(1);
        assertThat(sim.metric("vllm:num_requests_running")).isEqualTo(1);
      }
    }
  }

  @Test
  void aFullQueueAnswers429WithRetryAfter() throws IOException {
    try (RunningSim sim =
        RunningSim.start(
            RunningSim.config()
                .maxNumSeqs(1)
                .maxWaitingQueueLength(0)
                .interTokenLatency(Duration.ofMillis(50)))) {
      try (RawClient running = new RawClient(sim, chat(200, true))) {
        running.readUntilEvent();
        HttpResponse<String> rejected = sim.post("/v1/chat/completions", chat(1, false));
        assertThat(rejected.statusCode()).isEqualTo(429);
        assertThat(rejected.headers().firstValue("retry-after")).hasValue("1");
        JsonNode error =
            Json.parseObject(rejected.body().getBytes(StandardCharsets.UTF_8)).get("error");
        assertThat(error.get("code").intValue()).isEqualTo(429);
        assertThat(error.get("type").stringValue()).isEqualTo("RateLimitError");
        assertThat(sim.metric("sim:requests_rejected_total")).isEqualTo(1);
      }
    }
  }

  @Test
  void injectedFailuresAre500s() {
    try (RunningSim sim = RunningSim.start(RunningSim.config().failureInjectionRate(1.0))) {
      HttpResponse<String> failed = sim.post("/v1/chat/completions", chat(3, true));
      assertThat(failed.statusCode()).isEqualTo(500);
      JsonNode error =
          Json.parseObject(failed.body().getBytes(StandardCharsets.UTF_8)).get("error");
      assertThat(error.get("message").stringValue()).isEqualTo("Injected failure");
      assertThat(error.get("type").stringValue()).isEqualTo("server_error");
      assertThat(sim.metric("sim:requests_failed_total")).isEqualTo(1);
      assertThat(sim.metric("vllm:num_requests_running")).isZero();
    }
  }

  @Test
  void crashAfterRequestsCrashesWhenTheNextRequestArrives() {
    try (RunningSim sim = RunningSim.start(RunningSim.config().crashAfterRequests(2))) {
      assertThat(sim.post("/v1/chat/completions", chat(1, false)).statusCode()).isEqualTo(200);
      assertThat(sim.post("/v1/chat/completions", chat(1, false)).statusCode()).isEqualTo(200);
      assertThat(sim.hooks.crashes).isEmpty();
      sim.post("/v1/chat/completions", chat(1, false));
      assertThat(sim.hooks.crashes).singleElement().asString().contains("--crash-after-requests=2");
    }
  }

  @Test
  void crashAfterZeroRequestsCrashesDuringBootAndNeverBecomesReady() {
    try (RunningSim sim = RunningSim.start(RunningSim.config().crashAfterRequests(0))) {
      assertThat(sim.hooks.listeningPort).isEqualTo(sim.port());
      assertThat(sim.hooks.crashes).singleElement().asString().contains("boot");
      assertThat(sim.hooks.ready).isFalse();
      assertThat(sim.get("/health").statusCode()).isEqualTo(503);
    }
  }
}
