package io.zeroscale.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.WebFilter;

/**
 * A {@link WebFilter} whose place in the chain its configuration gives: the order every one of the
 * gateway's web filters (authentication, request ids, the JSON content type) takes by constructor.
 */
public abstract class OrderedWebFilter implements WebFilter, Ordered {

  private final int order;

  protected OrderedWebFilter(int order) {
    this.order = order;
  }

  @Override
  public final int getOrder() {
    return order;
  }
}
