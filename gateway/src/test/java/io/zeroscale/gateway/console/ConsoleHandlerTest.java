package io.zeroscale.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiErrorWebExceptionHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/** The console's handler over real HTTP (Reactor Netty), with the gateway's error handler. */
class ConsoleHandlerTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static DisposableServer server;

  @BeforeAll
  static void start() {
    ConsoleAssets assets =
        ConsoleAssets.builder()
            .put("index.html", "<html>shell</html>".getBytes(StandardCharsets.UTF_8))
            .put("assets/js/app.js", "export {};".getBytes(StandardCharsets.UTF_8))
            .put("vendor/uPlot.min.css", ".u{}".getBytes(StandardCharsets.UTF_8))
            .build();
    ConsoleHandler handler =
        new ConsoleHandler(assets, new ConsoleRoutes(List.of("", "deployments/:id")));
    HttpHandler http =
        WebHttpHandlerBuilder.webHandler(
                RouterFunctions.toWebHandler(
                    RouterFunctions.route(RequestPredicates.path("/console/**"), handler)))
            .exceptionHandler(new OpenAiErrorWebExceptionHandler(JsonMapper.builder().build()))
            .build();
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(new ReactorHttpHandlerAdapter(http))
            .bindNow(Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    server.disposeNow();
  }

  private static HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/console/|200|<html>shell</html>",
        "/console/deployments/abc|200|<html>shell</html>",
        "/console/deployments/a%20b|200|<html>shell</html>",
        "/console/deployments|404|<html>shell</html>",
        "/console/deployments/abc/more|404|<html>shell</html>",
        "/console/nope|404|<html>shell</html>",
        "/console/assets/js/app.js|200|export {};",
        "/console/vendor/uPlot.min.css|200|.u{}",
        "/console/assets/js/missing.js|404|\"code\":\"not_found\"",
        "/console/assets/js/%2e%2e/app.js|404|\"code\":\"not_found\"",
        "/console/assets%2Fjs%2Fapp.js|404|<html>shell</html>",
        "/console/assets|404|\"code\":\"not_found\"",
        "/console/index.html|404|<html>shell</html>"
      })
  void answersFilesAndTheShellFromMemory(String path, int status, String body) throws Exception {
    HttpResponse<String> r = send("GET", path);
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.body()).contains(body);
    assertThat(r.headers().firstValue("content-security-policy"))
        .hasValue(ConsoleHandler.CONTENT_SECURITY_POLICY);
    assertThat(r.headers().firstValue("x-frame-options")).hasValue("DENY");
  }

  @Test
  void aKnownFileIsRevalidatedWithItsEtag() throws Exception {
    HttpResponse<String> first = send("GET", "/console/assets/js/app.js");
    assertThat(first.headers().firstValue("content-type"))
        .hasValue("text/javascript;charset=utf-8");
    assertThat(first.headers().firstValue("cache-control")).hasValue("no-cache");
    String etag = first.headers().firstValue("etag").orElseThrow();
    HttpResponse<String> again = send("GET", "/console/assets/js/app.js", "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    HttpResponse<String> stale =
        send("GET", "/console/assets/js/app.js", "If-None-Match", "\"other\"");
    assertThat(stale.statusCode()).isEqualTo(200);
  }

  @Test
  void onlyGetAndHeadAreAnswered() throws Exception {
    assertThat(send("HEAD", "/console/").statusCode()).isEqualTo(200);
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
      HttpResponse<String> r = send(method, "/console/");
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.body()).contains("\"code\":\"method_not_allowed\"");
      assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
    }
  }

  @Test
  void theBareAddressRedirectsToTheConsole() throws Exception {
    HttpResponse<String> r = send("GET", "/console");
    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("location")).hasValue("/console/");
  }

  @Test
  void aShellIsRequired() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ConsoleHandler(ConsoleAssets.builder().build(), new ConsoleRoutes(List.of())))
        .hasMessageContaining("index.html");
  }
}
