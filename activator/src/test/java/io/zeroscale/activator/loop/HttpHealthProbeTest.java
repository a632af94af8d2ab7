package io.zeroscale.activator.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.reconcile.Health;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

class HttpHealthProbeTest {

  /** How long a verification may take: well above every probe timeout below. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final String METRICS =
      """
      # HELP vllm:num_requests_running Number of requests in model execution batches.
      # TYPE vllm:num_requests_running gauge
      vllm:num_requests_running{engine="0",model_name="acme/llama-8b"} 3.0
      # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
      # TYPE vllm:num_requests_waiting gauge
      vllm:num_requests_waiting{engine="0",model_name="acme/llama-8b"} 2.0
      vllm:num_requests_running_total{model_name="acme/llama-8b"} 1000
      vllm:num_requests_running_total 1000
      vllm:gpu_cache_usage_perc{model_name="acme/llama-8b"} 0.5
      """;

  // --- parsing ---

  @Test
  void sumsRunningAndWaitingWithLabels() {
    assertThat(HttpHealthProbe.parseInFlight(METRICS)).isEqualTo(OptionalInt.of(5));
  }

  @Test
  void sumsRunningAndWaitingWithoutLabelsAndWithTimestamps() {
    String page =
        """
        vllm:num_requests_running 4
        vllm:num_requests_waiting 1 1712345678000
        """;
    assertThat(HttpHealthProbe.parseInFlight(page)).isEqualTo(OptionalInt.of(5));
  }

  @Test
  void sumsEveryLabelSet() {
    String page =
        """
        vllm:num_requests_running{engine="0"} 1
        vllm:num_requests_running{engine="1"} 2
        vllm:num_requests_waiting{engine="1"} 0
        """;
    assertThat(HttpHealthProbe.parseInFlight(page)).isEqualTo(OptionalInt.of(3));
  }

  @Test
  void aSeriesThatOnlyStartsWithTheNameDoesNotCount() {
    String page =
        """
        vllm:num_requests_running 1
        vllm:num_requests_running_total 50
        vllm:num_requests_running_total{model_name="m"} 70
        vllm:num_requests_waiting_by_reason{reason="capacity"} 9
        """;
    assertThat(HttpHealthProbe.parseInFlight(page)).isEqualTo(OptionalInt.of(1));
  }

  @Test
  void emptyWhenTheGaugesAreAbsent() {
    assertThat(HttpHealthProbe.parseInFlight("vllm:gpu_cache_usage_perc 0.1\n")).isEmpty();
    assertThat(HttpHealthProbe.parseInFlight("")).isEmpty();
    assertThat(HttpHealthProbe.parseInFlight("vllm:num_requests_running_total{a=\"b\"} 3\n"))
        .isEmpty();
  }

  @Test
  void zeroIsAnAnswerNotAnAbsence() {
    assertThat(
            HttpHealthProbe.parseInFlight(
                "vllm:num_requests_running 0\r\nvllm:num_requests_waiting 0\r\n"))
        .isEqualTo(OptionalInt.of(0));
  }

  // --- over HTTP ---

  private final AtomicInteger status = new AtomicInteger(200);
  private DisposableServer server;

  /**
   * For answers that do come: a timeout no cold first request (Reactor Netty's set-up on a loaded
   * machine) reaches, so that a positive test cannot fail on it and a negative one cannot pass
   * because of it (a timeout would read as down or empty too).
   */
  private final HttpHealthProbe probe = new HttpHealthProbe(Duration.ofSeconds(5));

  /** For {@code /hang}, which never answers: any timeout ends it, a short one keeps it quick. */
  private final HttpHealthProbe hangProbe = new HttpHealthProbe(Duration.ofMillis(500));

  @BeforeEach
  void startServer() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                r ->
                    r.get("/health", (req, res) -> res.status(status.get()).send())
                        .get(
                            "/metrics",
                            (req, res) -> res.status(status.get()).sendString(Mono.just(METRICS)))
                        .get("/hang/health", (req, res) -> Mono.never()))
            .bindNow();
  }

  @AfterEach
  void stopServer() {
    server.disposeNow();
  }

  private String url() {
    return "http://127.0.0.1:" + server.port();
  }

  private static String refusedUrl() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return "http://127.0.0.1:" + port;
  }

  @Test
  void healthyOn200() {
    StepVerifier.create(probe.healthy(url())).expectNext(true).expectComplete().verify(WAIT);
  }

  @Test
  void notHealthyOn503() {
    status.set(503);
    StepVerifier.create(probe.healthy(url())).expectNext(false).expectComplete().verify(WAIT);
  }

  @Test
  void notHealthyWhenRefused() throws Exception {
    StepVerifier.create(probe.healthy(refusedUrl()))
        .expectNext(false)
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  void notHealthyWhenItDoesNotAnswerInTime() {
    StepVerifier.create(hangProbe.healthy(url() + "/hang"))
        .expectNext(false)
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  void aLateAnswerIsSlowNotDown() throws Exception {
    // A busy engine answering /health late must not be taken for a dead one.
    StepVerifier.create(hangProbe.health(url() + "/hang"))
        .expectNext(Health.SLOW)
        .expectComplete()
        .verify(WAIT);
    StepVerifier.create(probe.health(refusedUrl()))
        .expectNext(Health.DOWN)
        .expectComplete()
        .verify(WAIT);
    status.set(503);
    StepVerifier.create(probe.health(url())).expectNext(Health.DOWN).expectComplete().verify(WAIT);
  }

  @Test
  void inFlightReadsTheMetricsPage() {
    StepVerifier.create(probe.inFlight(url()))
        .expectNext(OptionalInt.of(5))
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  void inFlightIsEmptyOn503AndWhenRefused() throws Exception {
    status.set(503);
    StepVerifier.create(probe.inFlight(url()))
        .expectNext(OptionalInt.empty())
        .expectComplete()
        .verify(WAIT);
    StepVerifier.create(probe.inFlight(refusedUrl()))
        .expectNext(OptionalInt.empty())
        .expectComplete()
        .verify(WAIT);
  }
}
