package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.Health;
import java.time.Duration;
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

  /** Sums the running and waiting gauges of a Prometheus text page (every label set). */
  static OptionalInt parseInFlight(String page) {
    double sum = 0;
    boolean found = false;
    for (String line : page.split("\n")) {
      if (line.startsWith("vllm:num_requests_running")
          || line.startsWith("vllm:num_requests_waiting")) {
        // name{labels} value [timestamp]: the value is the first token after the series.
        int brace = line.lastIndexOf('}');
        String[] parts = line.substring(brace + 1).trim().split("\\s+");
        String series = brace >= 0 ? line.substring(0, Math.max(0, line.indexOf('{'))) : parts[0];
        String value = brace >= 0 ? parts[0] : (parts.length > 1 ? parts[1] : "");
        if (!series.isEmpty()
            && !series.equals("vllm:num_requests_running")
            && !series.equals("vllm:num_requests_waiting")) {
          continue;
        }
        try {
          sum += Double.parseDouble(value);
          found = true;
        } catch (NumberFormatException e) {
          // a malformed sample is no sample
        }
      }
    }
    return found ? OptionalInt.of((int) Math.round(sum)) : OptionalInt.empty();
  }
}
