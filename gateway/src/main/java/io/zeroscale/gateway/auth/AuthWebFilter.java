package io.zeroscale.gateway.auth;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.OrderedWebFilter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates every request before anything else looks at it, except the public paths of {@link
 * PathAccess} (an allowlist), and stores the {@link Principal} in the exchange. The decision is
 * made on the {@link NormalizedPath} (parameters stripped, decoded), the form routing matches on; a
 * path that cannot be normalized is a 400. Management endpoints also need the {@code metrics}
 * scope; every other scope is checked by the handler, which knows what it needs. An unknown path
 * with a valid key goes on to routing and gets its 404 there; without a key it gets the 401.
 */
public final class AuthWebFilter extends OrderedWebFilter {

  private static final String BEARER = "bearer ";

  private final KeyAuthenticator authenticator;

  public AuthWebFilter(KeyAuthenticator authenticator, int order) {
    super(order);
    this.authenticator = authenticator;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String raw = exchange.getRequest().getPath().pathWithinApplication().value();
    return switch (NormalizedPath.parse(raw)) {
      case NormalizedPath.Malformed m ->
          Mono.error(
              new ZeroscaleException(
                  OpenAiError.of(
                      400, "Invalid request path: " + m.reason() + ".", null, "invalid_path")));
      case NormalizedPath.Valid v -> filter(exchange, chain, PathAccess.of(v.path()));
    };
  }

  private Mono<Void> filter(
      ServerWebExchange exchange, WebFilterChain chain, PathAccess.Access access) {
    if (access == PathAccess.Access.PUBLIC) {
      return chain.filter(exchange);
    }
    String secret = bearer(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
    return authenticator
        .authenticate(secret, client(exchange.getRequest().getRemoteAddress()))
        .flatMap(
            result -> {
              Principal principal = admit(result, access);
              exchange.getAttributes().put(Principal.ATTRIBUTE, principal);
              return chain.filter(exchange);
            });
  }

  /**
   * The principal a request goes on with, or the client error that stops it (thrown, and turned
   * into the OpenAI-shaped answer by the error handler).
   */
  static Principal admit(AuthResult result, PathAccess.Access access) {
    return switch (result) {
      case AuthResult.Authenticated a -> {
        if (access == PathAccess.Access.MANAGEMENT) {
          a.principal().requireMetrics();
        }
        yield a.principal();
      }
      case AuthResult.Rejected r ->
          throw new ZeroscaleException(OpenAiError.of(401, r.message(), null, r.code()));
      case AuthResult.Throttled t ->
          throw new ZeroscaleException(
              OpenAiError.of(
                  429,
                  "Too many failed authentication attempts from this address. Retry in "
                      + t.retryAfterSeconds()
                      + "s.",
                  null,
                  "rate_limit_exceeded"),
              t.retryAfterSeconds());
      case AuthResult.Unavailable u ->
          throw new ZeroscaleException(OpenAiError.of(503, u.message()));
    };
  }

  /**
   * The client address failed attempts are counted against: the remote address (the {@code
   * X-Forwarded-For} one when {@code server.forward-headers-strategy} says to trust it), an IPv6
   * address by its /64 prefix, the block one subscriber usually holds whole.
   */
  static String client(InetSocketAddress remote) {
    if (remote == null) {
      return "unknown";
    }
    InetAddress address = remote.getAddress();
    if (address == null) {
      return remote.getHostString();
    }
    if (address instanceof Inet6Address) {
      return HexFormat.of().formatHex(address.getAddress(), 0, 8) + "::/64";
    }
    return address.getHostAddress();
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
