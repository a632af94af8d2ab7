package io.zeroscale.gateway.routing;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the response of a request that may have to wait for a slot, and keeps a waiting stream's
 * connection alive.
 *
 * <p>Most waits are short: the lease (or the error) arrives, the response headers carry the wait
 * ({@link HoldHeaders}), and the request is proxied exactly as one that never waited; errors reach
 * the client through the one error handler, with their status.
 *
 * <p>A {@code stream: true} request that is still waiting after {@code keepAlive} (15 s) would sit
 * on a silent connection, which idle timeouts of proxies and load balancers cut (often at 60 s)
 * long before a cold start of several minutes ends. So at that point this class commits the
 * response itself (200, {@code text/event-stream}, {@code x-request-id}, the cold-start header) and
 * writes {@code : waiting for instance} every {@code keepAlive}, an SSE comment that clients
 * ignore. It is one mechanism: everything goes through one {@code writeAndFlushWith} on the real
 * response, whose body is the stream of signals of the wait (keep-alive ticks, then the lease or
 * the error):
 *
 * <ul>
 *   <li>a tick becomes a comment, flushed on its own;
 *   <li>the lease runs the proxy hop ({@link UpstreamProxy}) against a {@link Detached} response.
 *       The proxy sets the instance's status and headers on it, then writes the body with {@code
 *       writeAndFlushWith}, one publisher per upstream chunk ({@link StreamingResponses} decorates
 *       that call). On a committed response, setting headers throws; the detached one keeps them to
 *       itself and hands the body it is given to the stream already being written, so the
 *       instance's events follow the comments in the same body, still flushed one by one;
 *   <li>an error (503, 504, 404 from the hold; 502 from the instance; a non-2xx answer of the
 *       instance) can no longer change the status: it becomes one OpenAI-shaped {@code data:
 *       {"error":{...}}} event, and the stream ends. The request's meter still records the error's
 *       status.
 * </ul>
 */
public final class HeldRequests {

  static final String WAITING = ": waiting for instance\n\n";

  /** An instance's error body is read up to this size to say why it refused the request. */
  private static final int UPSTREAM_ERROR_LIMIT = 64 * 1024;

  /** Forwards the request on a lease, writing its response to {@code target}. */
  @FunctionalInterface
  interface Forward {
    Mono<Void> apply(SlotLease lease, ServerHttpResponse target);
  }

  /** The wait ended without a lease. */
  private record Failed(Throwable error) {}

  private final Duration keepAlive;
  private final Scheduler timer;
  private final JsonMapper json;

  /**
   * @param keepAlive how long a stream waits silently before the first comment; zero turns
   *     keep-alive comments off
   * @param timer runs the keep-alive ticks
   */
  public HeldRequests(Duration keepAlive, Scheduler timer, JsonMapper json) {
    if (keepAlive.isNegative()) {
      throw new IllegalArgumentException(
          "zeroscale.gateway.hold-keepalive must not be negative, was " + keepAlive);
    }
    this.keepAlive = keepAlive;
    this.timer = timer;
    this.json = json;
  }

  /**
   * Serves one request once {@code slot} grants it a lease (released when the exchange ends,
   * however it ends).
   *
   * @param response the client's response
   * @param cold whether the deployment had no ready instance when the request arrived
   * @param stream whether the client asked for a stream (only streams get keep-alive comments)
   */
  Mono<Void> serve(
      ServerHttpResponse response,
      Mono<SlotLease> slot,
      boolean cold,
      boolean stream,
      RequestMeter meter,
      Forward forward) {
    if (!stream || keepAlive.isZero()) {
      return slot.flatMap(lease -> direct(response, lease, cold, forward));
    }
    Flux<Object> signals =
        Flux.merge(
                slot.<Object>map(l -> l).onErrorResume(e -> Mono.just(new Failed(e))),
                Flux.interval(keepAlive, keepAlive, timer).onBackpressureDrop())
            .takeUntil(o -> !(o instanceof Long));
    return signals
        .switchOnFirst(
            (first, all) ->
                first.get() instanceof Long
                    ? committed(response, all, cold, meter, forward)
                    : all.concatMap(
                        o ->
                            switch (o) {
                              case SlotLease lease -> direct(response, lease, cold, forward);
                              case Failed f -> Mono.<Void>error(f.error());
                              default -> Mono.<Void>empty();
                            }))
        .then()
        // A lease still in an operator's queue when the client goes away goes back.
        .doOnDiscard(SlotLease.class, SlotLease::release);
  }

  private static Mono<Void> direct(
      ServerHttpResponse response, SlotLease lease, boolean cold, Forward forward) {
    return Mono.defer(
            () -> {
              HoldHeaders.apply(response.getHeaders(), lease, cold);
              return forward.apply(lease, response);
            })
        .doFinally(s -> lease.release());
  }

  private Mono<Void> committed(
      ServerHttpResponse response,
      Flux<Object> signals,
      boolean cold,
      RequestMeter meter,
      Forward forward) {
    response.setStatusCode(HttpStatus.OK);
    HttpHeaders headers = response.getHeaders();
    headers.setContentType(MediaType.TEXT_EVENT_STREAM);
    headers.setCacheControl("no-cache");
    if (cold) {
      headers.set(HoldHeaders.COLD_START, "true");
    }
    Flux<Publisher<DataBuffer>> body =
        signals.concatMap(
            o ->
                switch (o) {
                  case Long tick -> Flux.just(chunk(response, WAITING));
                  case SlotLease lease ->
                      upstream(response, lease, meter, forward).doFinally(s -> lease.release());
                  case Failed f -> Flux.just(failure(response, meter, f.error()));
                  default -> Flux.<Publisher<DataBuffer>>empty();
                });
    return response.writeAndFlushWith(body);
  }

  /** The instance's events, through the rest of the chain writing to a detached response. */
  private Flux<Publisher<DataBuffer>> upstream(
      ServerHttpResponse response, SlotLease lease, RequestMeter meter, Forward forward) {
    Detached detached = new Detached(response, meter);
    Flux<Publisher<DataBuffer>> ready =
        lease.held()
            ? Flux.just(
                chunk(
                    response,
                    ": instance ready after " + lease.waitedNanos() / 1_000_000 + " ms\n\n"))
            : Flux.empty();
    Mono<Void> chain =
        Mono.defer(() -> forward.apply(lease, detached)).doFinally(s -> detached.noBody());
    return ready.concatWith(
        Flux.merge(chain.thenMany(Flux.<Publisher<DataBuffer>>empty()), detached.body())
            .onErrorResume(e -> Flux.just(failure(response, meter, e))));
  }

  private Publisher<DataBuffer> failure(
      ServerHttpResponse response, RequestMeter meter, Throwable e) {
    meter.failed(e);
    OpenAiError error =
        e instanceof ZeroscaleException z
            ? z.error()
            : OpenAiError.of(502, "The instance did not answer the request.", null, null);
    return chunk(response, errorEvent(error));
  }

  String errorEvent(OpenAiError error) {
    return "data: " + json.writeValueAsString(error.body()) + "\n\n";
  }

  private static Publisher<DataBuffer> chunk(ServerHttpResponse response, String text) {
    return Mono.fromSupplier(
        () -> response.bufferFactory().wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The error a client sees for an instance's non-2xx answer: the instance's own OpenAI-shaped
   * error (vLLM answers one) with its status, else a plain one naming the status.
   */
  OpenAiError upstreamError(int status, String body) {
    try {
      JsonNode root = json.readTree(body);
      JsonNode error = root.has("error") && root.get("error").isObject() ? root.get("error") : root;
      JsonNode message = error.get("message");
      if (message != null && message.isString()) {
        JsonNode type = error.get("type");
        JsonNode param = error.get("param");
        JsonNode code = error.get("code");
        return new OpenAiError(
            status,
            message.asString(),
            type != null && type.isString() ? type.asString() : OpenAiError.typeFor(status),
            param != null && param.isString() ? param.asString() : null,
            code != null && code.isString() ? code.asString() : null);
      }
    } catch (RuntimeException e) {
      // Not JSON: fall through to the plain error.
    }
    return OpenAiError.of(
        status, "The instance answered HTTP " + status + ".", null, "upstream_error");
  }

  /**
   * The response the rest of the gateway chain writes to once the real one is committed: status and
   * headers stay here, the body goes to {@link #body()}, which the committed stream writes.
   */
  final class Detached extends ServerHttpResponseDecorator {

    private final HttpHeaders headers = new HttpHeaders();
    private final RequestMeter meter;
    private final Sinks.One<Flux<Publisher<DataBuffer>>> body = Sinks.one();
    private volatile HttpStatusCode status = HttpStatus.OK;
    private volatile boolean written;

    Detached(ServerHttpResponse committed, RequestMeter meter) {
      super(committed);
      this.meter = meter;
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public boolean setStatusCode(HttpStatusCode code) {
      if (code != null) {
        status = code;
      }
      return true;
    }

    @Override
    public HttpStatusCode getStatusCode() {
      return status;
    }

    @Override
    public boolean isCommitted() {
      return written;
    }

    @Override
    public void beforeCommit(java.util.function.Supplier<? extends Mono<Void>> action) {
      // The real response was committed when the first keep-alive comment went out.
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> chunks) {
      return hand(Flux.from(chunks).map(b -> Mono.<DataBuffer>just(b)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(
        Publisher<? extends Publisher<? extends DataBuffer>> chunks) {
      return hand(Flux.from(chunks).map(c -> Flux.<DataBuffer>from(c)));
    }

    @Override
    public Mono<Void> setComplete() {
      return hand(Flux.empty());
    }

    /** What the committed stream writes after the comments; empty if the chain wrote nothing. */
    Flux<Publisher<DataBuffer>> body() {
      return body.asMono().flatMapMany(b -> b);
    }

    void noBody() {
      body.tryEmitValue(Flux.empty());
    }

    /** Hands the body over; the writer's write completes when the committed stream has sent it. */
    private Mono<Void> hand(Flux<Publisher<DataBuffer>> chunks) {
      written = true;
      Sinks.Empty<Void> sent = Sinks.empty();
      Flux<Publisher<DataBuffer>> out =
          status.is2xxSuccessful() ? chunks : refused(status.value(), chunks);
      if (body.tryEmitValue(out.doFinally(s -> sent.tryEmitEmpty())).isFailure()) {
        return Mono.error(new IllegalStateException("the response body was already written"));
      }
      return sent.asMono();
    }

    /** The instance refused the request after the stream began: its error as the last event. */
    private Flux<Publisher<DataBuffer>> refused(int code, Flux<Publisher<DataBuffer>> chunks) {
      return DataBufferUtils.join(Flux.concat(chunks), UPSTREAM_ERROR_LIMIT)
          .map(
              joined -> {
                String text = joined.toString(StandardCharsets.UTF_8);
                DataBufferUtils.release(joined);
                return text;
              })
          .onErrorResume(e -> Mono.just(""))
          .defaultIfEmpty("")
          .map(
              text -> {
                OpenAiError error = upstreamError(code, text);
                meter.failed(new ZeroscaleException(error));
                return chunk(getDelegate(), errorEvent(error));
              })
          .flux();
    }
  }
}
