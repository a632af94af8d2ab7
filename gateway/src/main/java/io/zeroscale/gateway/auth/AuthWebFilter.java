package io.zeroscale.gateway.auth;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates every API path ({@code /v1}, {@code /custom-model/v1}, {@code /api/v1}, {@code
 * /admin/v1}) before anything else looks at the request, and stores the {@link Principal} in the
 * exchange. Health and other actuator paths stay open. Scopes are checked by each handler, which
 * knows what it needs.
 */
public final class AuthWebFilter implements WebFilter, Ordered {

  private static final List<String> PROTECTED =
      List.of("/v1/", "/custom-model/v1/", "/api/v1/", "/admin/v1/");
  private static final String BEARER = "bearer ";

  private final KeyAuthenticator authenticator;
  private final int order;

  public AuthWebFilter(KeyAuthenticator authenticator, int order) {
    this.authenticator = authenticator;
    this.order = order;
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!isProtected(exchange.getRequest().getPath().pathWithinApplication().value())) {
      return chain.filter(exchange);
    }
    String secret = bearer(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
    return authenticator
        .authenticate(secret)
        .flatMap(
            result ->
                switch (result) {
                  case AuthResult.Authenticated a -> {
                    exchange.getAttributes().put(Principal.ATTRIBUTE, a.principal());
                    yield chain.filter(exchange);
                  }
                  case AuthResult.Rejected r ->
                      Mono.error(
                          new ZeroscaleException(OpenAiError.of(401, r.message(), null, r.code())));
                  case AuthResult.Unavailable u ->
                      Mono.error(new ZeroscaleException(OpenAiError.of(503, u.message())));
                });
  }

  static boolean isProtected(String path) {
    for (String prefix : PROTECTED) {
      if (path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive). */
  static String bearer(String header) {
    if (header == null || header.length() <= BEARER.length()) {
      return null;
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return header.substring(BEARER.length()).strip();
  }
}
