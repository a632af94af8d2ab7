package io.zeroscale.gateway.routing;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

import java.net.URI;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Points the proxy at the instance {@link InferenceFilter} chose. It has to be a filter of its own:
 * {@link RouteToRequestUrlFilter} sets the request URL from the route's placeholder URI after the
 * inference filter ran (which must run before the response writer), so this one runs right after it
 * and puts the chosen instance's URL back.
 */
public final class UpstreamUrlFilter implements GatewayFilter, Ordered {

  /** Exchange attribute holding the instance URL (a {@link URI}) chosen for the request. */
  public static final String ATTRIBUTE = UpstreamUrlFilter.class.getName();

  public static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
    URI upstream = exchange.getAttribute(ATTRIBUTE);
    if (upstream != null) {
      exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, upstream);
    }
    return chain.filter(exchange);
  }
}
