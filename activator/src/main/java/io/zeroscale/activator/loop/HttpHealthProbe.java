package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.Health;
import io.zeroscale.api.VllmMetrics;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
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
    return get(
            url + "/health",
            (response, body) ->
                body.then(Mono.just(response.status().code() == 200 ? Health.UP : Health.DOWN)))
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
    return get(
            url + "/metrics",
            (response, body) ->
                response.status().code() == 200
                    ? body.asString().map(HttpHealthProbe::parseInFlight)
                    : body.then(Mono.just(OptionalInt.empty())))
        .onErrorReturn(OptionalInt.empty())
        .defaultIfEmpty(OptionalInt.empty());
  }

  /** {@code GET uri}, answered by {@code answer} within the timeout. */
  private <T> Mono<T> get(String uri, BiFunction<HttpClientResponse, ByteBufMono, Mono<T>> answer) {
    return http.get().uri(uri).responseSingle(answer).timeout(timeout);
  }

  /** The requests in flight on a {@code /metrics} page, rounded (see {@link VllmMetrics}). */
  static OptionalInt parseInFlight(String page) {
    OptionalDouble sum = VllmMetrics.requestsInFlight(page);
    return sum.isPresent()
        ? OptionalInt.of((int) Math.round(sum.getAsDouble()))
        : OptionalInt.empty();
  }
}
