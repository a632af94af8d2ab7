package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.Health;
import io.zeroscale.api.VllmMetrics;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Asks an instance how it is over HTTP: {@code /health} for readiness, {@code /metrics} (vLLM
 * names) for the requests it still has while draining. Never errors: a failure is an answer.
 */
public final class HttpHealthProbe implements HealthProbe {

  private final HttpClient http;
  private final Duration timeout;

  public HttpHealthProbe(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.create(ConnectionProvider.builder("zeroscale-probe").maxConnections(64).build())
            .responseTimeout(timeout);
  }

  /** Whether {@code GET <url>/health} answers 200 within the timeout. */
  public Mono<Boolean> healthy(String url) {
    return health(url).map(h -> h == Health.UP);
  }

  @Override
  public Mono<Health> health(String url) {
    return http.get()
        .uri(url + "/health")
        .responseSingle(
            (response, body) ->
                body.then(Mono.just(response.status().code() == 200 ? Health.UP : Health.DOWN)))
        .timeout(timeout)
        .onErrorResume(
            e ->
                Mono.just(
                    e instanceof java.util.concurrent.TimeoutException
                            || e instanceof io.netty.handler.timeout.ReadTimeoutException
                            || String.valueOf(e.getClass().getName()).contains("Timeout")
                        ? Health.SLOW
                        : Health.DOWN))
        .defaultIfEmpty(Health.DOWN);
  }

  /**
   * Requests running plus waiting on the instance ({@code vllm:num_requests_running} + {@code
   * vllm:num_requests_waiting}), empty when it cannot be read.
   */
  @Override
  public Mono<OptionalInt> inFlight(String url) {
    return http.get()
        .uri(url + "/metrics")
        .responseSingle(
            (response, body) ->
                response.status().code() == 200
                    ? body.asString().map(HttpHealthProbe::parseInFlight)
                    : body.then(Mono.just(OptionalInt.empty())))
        .timeout(timeout)
        .onErrorReturn(OptionalInt.empty())
        .defaultIfEmpty(OptionalInt.empty());
  }

  /** The requests in flight on a {@code /metrics} page, rounded (see {@link VllmMetrics}). */
  static OptionalInt parseInFlight(String page) {
    OptionalDouble sum = VllmMetrics.requestsInFlight(page);
    return sum.isPresent()
        ? OptionalInt.of((int) Math.round(sum.getAsDouble()))
        : OptionalInt.empty();
  }
}
