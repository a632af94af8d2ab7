package io.zeroscale.autoscaler.loop;

import io.zeroscale.api.VllmMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Scrapes {@code <url>/metrics} (Prometheus text, as vLLM and the engine simulator serve it) and
 * adds {@code vllm:num_requests_running} and {@code vllm:num_requests_waiting}. An instance that
 * does not answer within the timeout counts for nothing (the gateways' figures still do).
 */
public final class HttpEngineMetrics implements EngineMetrics {

  private final HttpClient http;
  private final Duration timeout;

  public HttpEngineMetrics(Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.timeout = timeout;
  }

  @Override
  public Mono<Double> demand(List<String> urls) {
    if (urls.isEmpty()) {
      return Mono.just(-1.0);
    }
    return Flux.fromIterable(urls)
        .flatMap(this::scrape, 8)
        .filter(OptionalDouble::isPresent)
        .map(OptionalDouble::getAsDouble)
        .collectList()
        .map(l -> l.isEmpty() ? -1.0 : l.stream().mapToDouble(Double::doubleValue).sum());
  }

  private Mono<OptionalDouble> scrape(String url) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/metrics"))
            .timeout(timeout)
            .GET()
            .build();
    return Mono.fromFuture(() -> http.sendAsync(req, HttpResponse.BodyHandlers.ofString()))
        .map(r -> r.statusCode() == 200 ? parse(r.body()) : OptionalDouble.empty())
        .onErrorReturn(OptionalDouble.empty());
  }

  /** Running + waiting from Prometheus text (see {@link VllmMetrics#requestsInFlight}). */
  static OptionalDouble parse(String text) {
    return VllmMetrics.requestsInFlight(text);
  }
}
