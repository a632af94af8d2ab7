package io.zeroscale.gateway.error;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.autoconfigure.error.ErrorWebFluxAutoConfiguration;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns every exception that reaches the web layer into an OpenAI-shaped error (see {@link
 * OpenAiError}). It runs before Spring Boot's default handler ({@link
 * ErrorWebFluxAutoConfiguration} registers its own at order -1; this one is -2), so no Whitelabel
 * or Spring error JSON ever reaches a client.
 */
public final class OpenAiErrorWebExceptionHandler implements ErrorWebExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(OpenAiErrorWebExceptionHandler.class);

  private final JsonMapper json;

  public OpenAiErrorWebExceptionHandler(JsonMapper json) {
    this.json = json;
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.error(ex);
    }
    OpenAiError error = toError(ex);
    if (error.status() >= 500 && zeroscale(ex) == null) {
      // An unexpected failure: the stack trace is what a fix needs.
      log.error(
          "{} {} failed",
          exchange.getRequest().getMethod(),
          exchange.getRequest().getPath().value(),
          ex);
    } else if (error.status() >= 500) {
      // An expected outcome (a deployment that failed to start, an unreachable instance): one
      // line, since clients retrying it would otherwise print a stack trace per request.
      log.warn(
          "{} {} answered {}: {}",
          exchange.getRequest().getMethod(),
          exchange.getRequest().getPath().value(),
          error.status(),
          error.message());
    }
    response.setStatusCode(HttpStatusCode.valueOf(error.status()));
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    if (zeroscale(ex) instanceof ZeroscaleException z && z.retryAfterSeconds() >= 0) {
      response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(z.retryAfterSeconds()));
    }
    DataBuffer buffer = response.bufferFactory().wrap(json.writeValueAsBytes(error.body()));
    return response.writeWith(Mono.just(buffer));
  }

  private static ZeroscaleException zeroscale(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ZeroscaleException z) {
        return z;
      }
    }
    return null;
  }

  /** Maps an exception to the error a client sees; never leaks internals on a 5xx. */
  static OpenAiError toError(Throwable ex) {
    // A refusal raised below the web layer (the connection's 408 body timeout) may arrive
    // wrapped by a codec or by Spring's input handling.
    ZeroscaleException ours = zeroscale(ex);
    if (ours != null) {
      return ours.error();
    }
    if (ex instanceof ResponseStatusException rse) {
      int status = rse.getStatusCode().value();
      String message =
          switch (status) {
            case 404 -> "Not found: no such path";
            case 405 -> "Method not allowed";
            case 413 -> "Request body too large";
            case 415 -> "Unsupported media type";
            default -> rse.getReason() != null ? rse.getReason() : "Request failed";
          };
      String code = status == 413 ? "request_too_large" : null;
      return OpenAiError.of(status, status >= 500 ? "Internal server error" : message, null, code);
    }
    return OpenAiError.of(500, "Internal server error");
  }
}
