package io.zeroscale.gateway.routing;

import io.zeroscale.gateway.observe.RequestIds;
import io.zeroscale.gateway.web.OrderedWebFilter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every request an id (the client's {@code x-request-id} when it is sane, else a new one),
 * sends it back on every response, errors included, and keeps it for the proxy to pass upstream. It
 * runs before authentication so that even a 401 carries it.
 */
public final class RequestIdWebFilter extends OrderedWebFilter {

  public static final String HEADER = "x-request-id";
  public static final String ATTRIBUTE = RequestIdWebFilter.class.getName();

  public RequestIdWebFilter(int order) {
    super(order);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String id = RequestIds.incomingOrNew(exchange.getRequest().getHeaders().getFirst(HEADER));
    exchange.getAttributes().put(ATTRIBUTE, id);
    exchange.getResponse().getHeaders().set(HEADER, id);
    // The proxy adds the instance's response headers, and an instance may echo the id: set it
    // once more just before the response is committed so that clients see exactly one.
    exchange
        .getResponse()
        .beforeCommit(
            () -> {
              exchange.getResponse().getHeaders().set(HEADER, id);
              return Mono.empty();
            });
    return chain.filter(exchange);
  }
}
