package io.zeroscale.gateway.console;

import io.zeroscale.gateway.auth.NormalizedPath;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Answers everything below {@code /console}: the files under {@code /console/assets/} and {@code
 * /console/vendor/} as they are, and at every other address the page shell ({@code index.html}),
 * 200 at a console page and 404 elsewhere. Only {@code GET} and {@code HEAD}; no key is needed (the
 * pages hold no data: the browser fetches it from the API with the key the user signs in with).
 *
 * <p>Every answer carries the console's security headers: a Content-Security-Policy that allows
 * only the console's own scripts, styles and API calls (no inline script or style, no other origin,
 * no framing, no form submission), {@code nosniff}, no referrer. Files are revalidated on each load
 * ({@code no-cache} plus a strong ETag, a 304 when unchanged), so a new release is picked up at
 * once.
 */
public final class ConsoleHandler implements HandlerFunction<ServerResponse> {

  /** Where the console is served. */
  public static final String BASE = "/console";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'; require-trusted-types-for 'script'";

  private static final List<String> FILE_DIRECTORIES = List.of("assets", "vendor");

  private final ConsoleAssets assets;
  private final ConsoleRoutes routes;

  public ConsoleHandler(ConsoleAssets assets, ConsoleRoutes routes) {
    if (assets.find("index.html").isEmpty()) {
      throw new IllegalArgumentException("the console has no index.html");
    }
    this.assets = assets;
    this.routes = routes;
  }

  @Override
  public Mono<ServerResponse> handle(ServerRequest request) {
    HttpMethod method = request.method();
    if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
      request.exchange().getResponse().getHeaders().set(HttpHeaders.ALLOW, "GET, HEAD");
      return refuse(
          request,
          OpenAiError.of(
              405,
              "The console answers GET and HEAD only; its data comes from the API.",
              null,
              "method_not_allowed"));
    }
    String raw = request.requestPath().pathWithinApplication().value();
    if (raw.equals(BASE)) {
      return ServerResponse.status(HttpStatus.PERMANENT_REDIRECT)
          .location(URI.create(BASE + "/"))
          .headers(ConsoleHandler::secure)
          .build();
    }
    List<String> below = below(raw);
    if (below == null) {
      return refuse(request, OpenAiError.of(404, "No such console page.", null, "not_found"));
    }
    if (!below.isEmpty() && FILE_DIRECTORIES.contains(below.getFirst())) {
      Optional<ConsoleAssets.Asset> file = assets.find(String.join("/", below));
      return file.map(asset -> answer(request, HttpStatus.OK, asset))
          .orElseGet(
              () ->
                  refuse(request, OpenAiError.of(404, "No such console file.", null, "not_found")));
    }
    HttpStatus status = routes.matches(below) ? HttpStatus.OK : HttpStatus.NOT_FOUND;
    return answer(request, status, assets.find("index.html").orElseThrow());
  }

  /**
   * An OpenAI-shaped refusal from the one error handler, with the console's security headers
   * already on the response (the handler keeps them).
   */
  private static Mono<ServerResponse> refuse(ServerRequest request, OpenAiError error) {
    secure(request.exchange().getResponse().getHeaders());
    return Mono.error(new ZeroscaleException(error));
  }

  /** The decoded segments below {@code /console}, or null for a path that is not below it. */
  static List<String> below(String raw) {
    if (!(NormalizedPath.parse(raw) instanceof NormalizedPath.Valid valid)) {
      return null;
    }
    List<String> segments = valid.path().segments();
    if (segments.isEmpty() || !segments.getFirst().equals(BASE.substring(1))) {
      return null;
    }
    return segments.subList(1, segments.size());
  }

  private static Mono<ServerResponse> answer(
      ServerRequest request, HttpStatus status, ConsoleAssets.Asset asset) {
    if (status == HttpStatus.OK
        && request.headers().header(HttpHeaders.IF_NONE_MATCH).contains(asset.etag())) {
      return ServerResponse.status(HttpStatus.NOT_MODIFIED)
          .headers(ConsoleHandler::secure)
          .eTag(asset.etag())
          .build();
    }
    ServerResponse.BodyBuilder builder =
        ServerResponse.status(status)
            .headers(ConsoleHandler::secure)
            .contentType(MediaType.parseMediaType(asset.contentType()));
    if (status == HttpStatus.OK) {
      builder.eTag(asset.etag());
    }
    return builder.bodyValue(asset.bytes());
  }

  /** The headers every console answer carries. */
  static void secure(HttpHeaders headers) {
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set(HttpHeaders.CACHE_CONTROL, "no-cache");
  }
}
