package io.zeroscale.gateway.web;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The tenant and admin APIs ({@code /api/v1}, {@code /admin/v1}) take JSON bodies only: a POST, PUT
 * or PATCH whose body is not declared {@code application/json} (or {@code application/*+json};
 * parameters such as {@code charset} are fine) is a 415 {@code unsupported_media_type}, before any
 * handler reads it. One place for every endpoint, rather than a check per controller.
 *
 * <p>Why: the handlers read the body as text whatever its declared type, so {@code text/plain} and
 * {@code curl -d} (which sends {@code application/x-www-form-urlencoded}) were accepted, against
 * docs/api.md; a proxy or WAF that inspects by {@code Content-Type} would then see a form where the
 * gateway sees JSON. A request without a body (a {@code Content-Length: 0} POST such as finalizing
 * an invoice month) needs no type. The data plane ({@code /v1}) is not filtered here: its bodies
 * are forwarded to the engine as sent.
 */
public final class JsonContentTypeFilter extends OrderedWebFilter {

  private static final Set<String> PREFIXES = Set.of("/api/v1", "/admin/v1");
  private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");

  public JsonContentTypeFilter(int order) {
    super(order);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    HttpHeaders headers = request.getHeaders();
    Optional<OpenAiError> problem =
        problem(
            request.getMethod().name(),
            request.getPath().pathWithinApplication().value(),
            headers.getFirst(HttpHeaders.CONTENT_TYPE),
            headers.getContentLength(),
            headers.containsHeader(HttpHeaders.TRANSFER_ENCODING));
    if (problem.isPresent()) {
      return Mono.error(new ZeroscaleException(problem.get()));
    }
    return chain.filter(exchange);
  }

  /**
   * The 415 a request deserves, if any.
   *
   * @param contentLength the {@code Content-Length}, or -1 when absent
   * @param chunked whether a {@code Transfer-Encoding} announces a body of unknown length
   */
  static Optional<OpenAiError> problem(
      String method, String path, String contentType, long contentLength, boolean chunked) {
    if (!METHODS.contains(method) || !isApi(path)) {
      return Optional.empty();
    }
    if (contentType == null || contentType.isBlank()) {
      // No declared type: fine without a body; a body would be read as JSON on a guess.
      boolean hasBody = contentLength > 0 || chunked;
      return hasBody
          ? Optional.of(unsupported("the request has no Content-Type"))
          : Optional.empty();
    }
    if (contentLength == 0) {
      return Optional.empty();
    }
    if (isJson(contentType)) {
      return Optional.empty();
    }
    return Optional.of(unsupported("got Content-Type '" + InputBounds.echo(contentType) + "'"));
  }

  /** {@code application/json} or {@code application/*+json}, with any parameters. */
  static boolean isJson(String contentType) {
    try {
      // Type and subtype come out lowercase: APPLICATION/JSON is JSON too.
      MediaType type = MediaType.parseMediaType(contentType);
      return "application".equals(type.getType())
          && !type.isWildcardSubtype()
          && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }

  private static boolean isApi(String path) {
    for (String prefix : PREFIXES) {
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return true;
      }
    }
    return false;
  }

  private static OpenAiError unsupported(String what) {
    return OpenAiError.of(
        415,
        "The request body must be JSON sent with Content-Type: application/json; "
            + what
            + ". (curl -d sends a form: add -H 'Content-Type: application/json'.)",
        null,
        "unsupported_media_type");
  }
}
