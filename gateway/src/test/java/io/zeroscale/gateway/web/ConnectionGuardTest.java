package io.zeroscale.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.ZeroscaleException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * The guard on a real Reactor Netty server and raw sockets, with short limits (300 ms head and body
 * silence, 1 s body in all). Each test waits for an outcome (an answer, a close), never for a
 * duration: a loaded machine only makes the outcomes come later.
 */
class ConnectionGuardTest {

  private static final ServerLimits LIMITS =
      new ServerLimits(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(1));

  private DisposableServer server;

  @BeforeEach
  void start() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .doOnChannelInit(
                (observer, channel, remote) ->
                    ConnectionGuard.install(channel.pipeline(), NettyPipeline.HttpCodec, LIMITS))
            .route(
                r ->
                    r.post(
                            "/echo",
                            (req, res) ->
                                req.receive()
                                    .aggregate()
                                    .asString()
                                    .defaultIfEmpty("")
                                    .flatMap(
                                        body -> res.sendString(Mono.just("got " + body)).then())
                                    .onErrorResume(
                                        ZeroscaleException.class,
                                        e ->
                                            res.status(e.error().status())
                                                .header("content-type", "application/json")
                                                .sendString(Mono.just(e.error().message()))
                                                .then()))
                        .post(
                            "/refuse",
                            (req, res) ->
                                // Answers from the head alone, as admission does.
                                res.status(413)
                                    .header("content-type", "application/json")
                                    .sendString(Mono.just("{\"error\":\"too large\"}")))
                        .post(
                            "/held",
                            (req, res) ->
                                // Body read, then held longer than every limit: never cut.
                                req.receive()
                                    .aggregate()
                                    .asString()
                                    .delayElement(Duration.ofSeconds(2))
                                    .flatMap(b -> res.sendString(Mono.just("held " + b)).then()))
                        .get(
                            "/stream",
                            (req, res) ->
                                res.header("content-type", "text/event-stream")
                                    .sendString(
                                        reactor.core.publisher.Flux.interval(Duration.ofMillis(400))
                                            .take(4)
                                            .map(i -> "data: " + i + "\n\n"))))
            .bindNow(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    server.disposeNow(Duration.ofSeconds(5));
  }

  @Test
  void aMalformedRequestLineGetsAnOpenAiBody() throws IOException {
    String answer = exchange("GARBAGE\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 400");
    assertThat(answer)
        .contains("content-type: application/json")
        .contains("\"type\":\"invalid_request_error\"")
        .contains("\"code\":\"malformed_request\"")
        .contains("\"param\":null");
  }

  @Test
  void aTooLongUrlIs414AndTooLargeHeadersAre431WithBodies() throws IOException {
    String url = "/echo?" + "a".repeat(10 * 1024);
    assertThat(exchange("GET " + url + " HTTP/1.1\r\nHost: x\r\n\r\n"))
        .startsWith("HTTP/1.1 414")
        .contains("\"code\":\"uri_too_long\"");
    String header = "X-Big: " + "b".repeat(9 * 1024) + "\r\n";
    assertThat(exchange("GET /echo HTTP/1.1\r\nHost: x\r\n" + header + "\r\n"))
        .startsWith("HTTP/1.1 431")
        .contains("\"code\":\"headers_too_large\"");
  }

  @Test
  void aBadChunkSizeGetsAnOpenAiBody() throws IOException {
    String answer =
        exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n");
    assertThat(answer).startsWith("HTTP/1.1 400").contains("\"error\":{");
  }

  @Test
  void partOfAHeadThenSilenceIs408ThenClosed() throws IOException {
    String answer = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"");
  }

  @Test
  void anIdleConnectionIsClosedWithoutAnAnswer() throws IOException {
    assertThat(exchange("")).isEmpty();
  }

  @Test
  void aBodyThatNeverComesIs408() throws IOException {
    String answer = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    assertThat(answer).startsWith("HTTP/1.1 408").contains("no byte of the request body arrived");
  }

  @Test
  void aBodyTrickledSlowerThanItsTotalLimitIs408() throws Exception {
    try (Socket s = socket()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
      out.flush();
      // One byte every 75 ms: never silent for 300 ms (a 4x margin for a busy machine), but
      // 100 bytes take 7.5 s > 1 s.
      String answer = null;
      for (int i = 0; i < 100 && answer == null; i++) {
        try {
          out.write('x');
          out.flush();
        } catch (IOException closed) {
          break;
        }
        answer = readIfAny(s, 75);
      }
      if (answer == null) {
        answer = readAll(s);
      }
      assertThat(answer).startsWith("HTTP/1.1 408").contains("did not arrive within 1 s");
    }
  }

  @Test
  void aHeldRequestAndALongStreamAreNeverCut() throws IOException {
    assertThat(exchange("POST /held HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"))
        .startsWith("HTTP/1.1 200")
        .endsWith("held hi");
    String stream = exchange("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(stream).startsWith("HTTP/1.1 200").contains("data: 0").contains("data: 3");
  }

  @Test
  void anEarlyAnswerReachesAClientStillSendingItsBody() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 3; i++) {
      java.net.http.HttpResponse<String> r =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + server.port() + "/refuse"))
                  .timeout(Duration.ofSeconds(30))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[3_000_000]))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.body()).contains("too large");
    }
  }

  @Test
  void keepAliveServesTheNextRequestThenClosesWhenIdle() throws IOException {
    try (Socket s = socket()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"));
      out.write(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb"));
      out.flush();
      String both = readAll(s);
      assertThat(both).contains("got a").contains("got b");
      assertThat(both).doesNotContain("408");
    }
  }

  @Test
  void ourOwnErrorsAndHeadAnswersAreLeftAlone() {
    var ours =
        new io.netty.handler.codec.http.DefaultFullHttpResponse(
            io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND,
            io.netty.buffer.Unpooled.EMPTY_BUFFER);
    ours.headers().set("content-type", "application/json");
    assertThat(ConnectionGuard.withErrorBody(ours, false)).isSameAs(ours);
    var head =
        new io.netty.handler.codec.http.DefaultFullHttpResponse(
            io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST,
            io.netty.buffer.Unpooled.EMPTY_BUFFER);
    assertThat(ConnectionGuard.withErrorBody(head, true)).isSameAs(head);
  }

  // ---------------------------------------------------------------- raw HTTP

  private Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(30_000);
    return s;
  }

  /**
   * Sends the bytes and reads until the server closes the connection: it always does, at the latest
   * when the connection has been idle for the head timeout.
   */
  private String exchange(String request) throws IOException {
    try (Socket s = socket()) {
      if (!request.isEmpty()) {
        s.getOutputStream().write(ascii(request));
        s.getOutputStream().flush();
      }
      return readAll(s);
    }
  }

  private static String readAll(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        got.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // closed by the server: what arrived is the answer
    }
    return got.toString(StandardCharsets.UTF_8);
  }

  private static String readIfAny(Socket s, int waitMs) throws IOException {
    s.setSoTimeout(waitMs);
    try {
      byte[] buf = new byte[8192];
      int n = s.getInputStream().read(buf);
      if (n < 0) {
        return "";
      }
      s.setSoTimeout(30_000);
      return new String(buf, 0, n, StandardCharsets.UTF_8) + readAll(s);
    } catch (SocketTimeoutException quiet) {
      return null;
    } finally {
      if (!s.isClosed()) {
        s.setSoTimeout(30_000);
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
