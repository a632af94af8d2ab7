package io.zeroscale.gateway.routing;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.zeroscale.gateway.observe.TraceContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Sends an admitted request to the instance its lease names and writes the instance's answer to the
 * client: the gateway's whole proxy hop, on Reactor Netty's client.
 *
 * <p>It replaces Spring Cloud Gateway's {@code NettyRoutingFilter} and {@code
 * NettyWriteResponseFilter} for the inference route because, measured on a CPU-bound load, their
 * generic per-request work (seven header filters copying every header through Spring's
 * case-insensitive maps, an observation and a timer per request, a route-URL rewrite) cost more
 * than everything else the gateway does (docs/benchmarks.md). What it keeps of theirs: hop-by-hop
 * headers are dropped both ways (RFC 9110 §7.6.1, with the names a {@code Connection} header
 * lists), the status and the other headers of the instance's answer are the client's (but those
 * that would act on the gateway's whole origin, {@link #isDeniedFromInstance}), an event stream's
 * events leave as soon as they arrive, and a client that goes away closes the upstream connection,
 * so that the instance stops generating.
 *
 * <p>What it adds: the upstream connection is taken from the pool of the client connection's own
 * event loop ({@link UpstreamClients}), so that a request and its answer never change thread.
 */
final class UpstreamProxy {

  private static final Logger log = LoggerFactory.getLogger(UpstreamProxy.class);

  /** Media types written with one flush per upstream chunk. */
  private static final List<MediaType> STREAMING =
      List.of(
          MediaType.TEXT_EVENT_STREAM,
          MediaType.APPLICATION_NDJSON,
          MediaType.parseMediaType("application/stream+json"));

  /**
   * A non-streaming answer up to this size (by its {@code Content-Length}) is read whole and sent
   * to the client with its headers in one write; a larger one is relayed as it comes.
   */
  static final int WHOLE_BODY_BYTES = 64 * 1024;

  private final UpstreamClients clients;

  UpstreamProxy(UpstreamClients clients) {
    this.clients = clients;
  }

  /**
   * Proxies one request.
   *
   * @param request the client's request (its headers are copied, its body is {@code body})
   * @param upstream the instance's URL for this request, path and query included
   * @param requestId the request's id, sent as {@code x-request-id}
   * @param engineKey the instance's own engine key, sent as {@code Authorization: Bearer}; null for
   *     an instance without one
   * @param traceparent the {@code traceparent} of the gateway's upstream span when the request is
   *     traced; null otherwise (then a child of the client's, as {@link TraceContext#child})
   * @param response where the instance's status, headers and body go (already decorated for
   *     metering and error shaping)
   */
  Mono<Void> proxy(
      ServerHttpRequest request,
      URI upstream,
      byte[] body,
      String requestId,
      String engineKey,
      String traceparent,
      ServerHttpResponse response) {
    Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
    EventLoop loop =
        nativeRequest instanceof Connection c && c.channel().eventLoop() != null
            ? c.channel().eventLoop()
            : null;
    HttpHeaders headers =
        nativeRequest instanceof reactor.netty.http.server.HttpServerRequest n
            ? requestHeaders(n.requestHeaders(), body.length, requestId, engineKey, traceparent)
            : requestHeaders(request.getHeaders(), body.length, requestId, engineKey, traceparent);
    return clients
        .on(loop)
        .post()
        .uri(upstream)
        .send(
            (req, out) -> {
              req.headers(headers);
              return out.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
            })
        .responseConnection((res, connection) -> answer(res, connection, response))
        .then();
  }

  /**
   * What the client gets when the instance refused the gateway's engine key: the client's own key
   * was accepted, so a 401 of the instance must not read as "your key is invalid" (a stale endpoint
   * record, or an engine started with another key).
   */
  static final byte[] ENGINE_KEY_REFUSED =
      ("{\"error\":{\"message\":\"The model instance refused the gateway's credentials;"
              + " retry, and report it if it persists.\",\"type\":\"server_error\","
              + "\"param\":null,\"code\":\"instance_auth_failed\"}}")
          .getBytes(StandardCharsets.UTF_8);

  /** The status the client gets for an instance's {@code status}: an instance's 401 is a 502. */
  static int clientStatus(int status) {
    return status == 401 ? 502 : status;
  }

  /** Copies the instance's answer to the client's response, then its body. */
  private static Mono<Void> answer(
      HttpClientResponse res, Connection connection, ServerHttpResponse response) {
    int status = res.status().code();
    if (clientStatus(status) != status) {
      log.warn("Instance {} refused the gateway's engine key ({})", res.resourceUrl(), status);
      response.setStatusCode(HttpStatusCode.valueOf(clientStatus(status)));
      // Its body is not read: the connection goes, rather than back to the pool half-read.
      connection.dispose();
      return response.writeWith(
          Mono.fromSupplier(() -> response.bufferFactory().wrap(ENGINE_KEY_REFUSED)));
    }
    response.setStatusCode(HttpStatusCode.valueOf(status));
    org.springframework.http.HttpHeaders out = response.getHeaders();
    HttpHeaders in = res.responseHeaders();
    copyResponseHeaders(in, out);
    NettyDataBufferFactory factory =
        response.bufferFactory() instanceof NettyDataBufferFactory f
            ? f
            : new NettyDataBufferFactory(connection.channel().alloc());
    MediaType type = out.getContentType();
    Mono<Void> write;
    if (type != null && STREAMING.stream().anyMatch(s -> s.isCompatibleWith(type))) {
      // Reactor Netty flushes once the chunks of one upstream read are written: every event
      // leaves as soon as it arrives, and events that arrive together leave in one write.
      write = response.writeWith(connection.inbound().receive().retain().map(factory::wrap));
    } else if (in.getInt(HttpHeaderNames.CONTENT_LENGTH, Integer.MAX_VALUE) <= WHOLE_BODY_BYTES) {
      // One buffer: Reactor Netty sends it and the headers in one write (one syscall).
      write =
          response.writeWith(
              connection.inbound().receive().aggregate().retain().map(factory::wrap));
    } else {
      write = response.writeWith(connection.inbound().receive().retain().map(factory::wrap));
    }
    return write.doFinally(
        signal -> {
          if (signal != SignalType.ON_COMPLETE && !connection.isDisposed()) {
            // The client went away or the write failed: the instance must not keep generating.
            connection.dispose();
          }
        });
  }

  /**
   * The headers the instance gets: the client's, minus hop-by-hop ones, {@code Host} (the
   * instance's own is set by the client), {@code Authorization} (the tenant's key never leaves the
   * gateway) and {@code Expect} (the body is already here), with the request id, the body's length,
   * a child of the client's trace context and, when the instance has one, its own engine key as
   * {@code Authorization: Bearer} (vLLM's {@code --api-key}: the instance answers 401 without it).
   */
  static HttpHeaders requestHeaders(
      HttpHeaders in, int length, String requestId, String engineKey) {
    return requestHeaders(in, length, requestId, engineKey, null);
  }

  /**
   * As {@link #requestHeaders(HttpHeaders, int, String, String)}, with the gateway's span as the
   * instance's parent when {@code spanTraceparent} is not null (the request is traced): the
   * instance's spans then hang under the gateway's upstream call, in the client's trace (the span
   * is a child of the client's {@code traceparent}, so its {@code tracestate} still applies).
   */
  static HttpHeaders requestHeaders(
      HttpHeaders in, int length, String requestId, String engineKey, String spanTraceparent) {
    List<String> connectionTokens = connectionTokens(in);
    HttpHeaders out = new DefaultHttpHeaders();
    String traceparent = null;
    for (Map.Entry<String, String> e : in) {
      String name = e.getKey();
      if (isHopByHop(name, connectionTokens) || isReplaced(name)) {
        if (TraceContext.HEADER.equalsIgnoreCase(name)) {
          traceparent = e.getValue();
        }
        continue;
      }
      out.add(name, e.getValue());
    }
    return finish(out, length, requestId, traceparent, spanTraceparent, engineKey);
  }

  /**
   * {@link #requestHeaders(HttpHeaders, int, String, String)} from Spring's headers (tests, mocks).
   */
  static HttpHeaders requestHeaders(
      org.springframework.http.HttpHeaders in, int length, String requestId, String engineKey) {
    return requestHeaders(in, length, requestId, engineKey, null);
  }

  private static HttpHeaders requestHeaders(
      org.springframework.http.HttpHeaders in,
      int length,
      String requestId,
      String engineKey,
      String spanTraceparent) {
    HttpHeaders copy = new DefaultHttpHeaders();
    in.forEach((name, values) -> copy.add(name, values));
    return requestHeaders(copy, length, requestId, engineKey, spanTraceparent);
  }

  private static HttpHeaders finish(
      HttpHeaders out,
      int length,
      String requestId,
      String traceparent,
      String spanTraceparent,
      String engineKey) {
    if (traceparent == null || TraceContext.parse(traceparent).isEmpty()) {
      // A tracestate without a valid parent means nothing downstream.
      out.remove("tracestate");
    }
    out.set(
        TraceContext.HEADER,
        spanTraceparent != null ? spanTraceparent : TraceContext.child(traceparent));
    if (requestId != null) {
      out.set(RequestIdWebFilter.HEADER, requestId);
    }
    out.set(HttpHeaderNames.CONTENT_LENGTH, length);
    if (engineKey != null) {
      out.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + engineKey);
    }
    return out;
  }

  /** Headers the gateway sets itself or never forwards. */
  private static boolean isReplaced(String name) {
    return name.equalsIgnoreCase("host")
        || name.equalsIgnoreCase("authorization")
        || name.equalsIgnoreCase("content-length")
        || name.equalsIgnoreCase("expect")
        || name.equalsIgnoreCase(RequestIdWebFilter.HEADER)
        || name.equalsIgnoreCase(TraceContext.HEADER);
  }

  /**
   * The instance's response headers the client gets: all but hop-by-hop ones and those {@link
   * #isDeniedFromInstance denied} to instances.
   */
  static void copyResponseHeaders(HttpHeaders in, org.springframework.http.HttpHeaders out) {
    List<String> connectionTokens = connectionTokens(in);
    for (Map.Entry<String, String> e : in) {
      if (!isHopByHop(e.getKey(), connectionTokens) && !isDeniedFromInstance(e.getKey())) {
        out.add(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Response headers an instance may not send to the client: the web console is served on the
   * gateway's origin, so a model could otherwise set or wipe its cookies and storage ({@code
   * Set-Cookie}, {@code Clear-Site-Data}), or change how browsers treat the whole origin (its
   * content security policy, HSTS, alternative services, a service worker's scope, a timed
   * redirect).
   */
  private static final Set<String> DENIED_FROM_INSTANCE =
      new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  static {
    DENIED_FROM_INSTANCE.addAll(
        List.of(
            "set-cookie",
            "set-cookie2",
            "clear-site-data",
            "content-security-policy",
            "content-security-policy-report-only",
            "refresh",
            "service-worker-allowed",
            "strict-transport-security",
            "alt-svc",
            "public-key-pins",
            "public-key-pins-report-only"));
  }

  /** Whether an instance's response header is dropped ({@link #DENIED_FROM_INSTANCE}). */
  static boolean isDeniedFromInstance(String name) {
    return DENIED_FROM_INSTANCE.contains(name);
  }

  /** RFC 9110 §7.6.1: meaningful for one connection only, never forwarded. */
  static boolean isHopByHop(String name, List<String> connectionTokens) {
    return switch (name.length()) {
          case 2 -> name.equalsIgnoreCase("te");
          case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
          case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
          case 16 -> name.equalsIgnoreCase("proxy-connection");
          case 17 -> name.equalsIgnoreCase("transfer-encoding");
          case 18 -> name.equalsIgnoreCase("proxy-authenticate");
          case 19 -> name.equalsIgnoreCase("proxy-authorization");
          default -> false;
        }
        || (!connectionTokens.isEmpty()
            && connectionTokens.stream().anyMatch(name::equalsIgnoreCase));
  }

  /**
   * The header names a {@code Connection} header lists (besides {@code close}/{@code keep-alive}).
   */
  private static List<String> connectionTokens(HttpHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
    if (values.isEmpty()) {
      return List.of();
    }
    return values.stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(String::trim)
        .filter(t -> !t.isEmpty())
        .toList();
  }
}
