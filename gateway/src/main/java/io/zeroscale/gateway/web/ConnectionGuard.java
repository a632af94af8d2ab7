package io.zeroscale.gateway.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per connection, between Netty's HTTP codec and Reactor Netty's handlers: the time limits of
 * {@link ServerLimits}, and an OpenAI-shaped body for the errors Netty and Reactor Netty answer on
 * their own (a malformed request line or chunk 400, a too-long URL 414, too-large headers 431),
 * which they send with an empty body.
 *
 * <p>The clock runs only while the client owes us bytes:
 *
 * <ul>
 *   <li><b>waiting for a request head</b> (after the connection opens or a response ends): {@code
 *       request-head-timeout}. If part of a head had arrived, 408 then close; if none (an idle
 *       keep-alive connection), a silent close, as nginx does;
 *   <li><b>receiving a body</b>: {@code body-timeout} in all and {@code body-idle-timeout} between
 *       two reads. The timeout is raised into the request's body, so the handler reading it fails
 *       with 408 and the usual error handler answers; the connection is closed once that answer is
 *       written (the rest of the body is never read);
 *   <li><b>otherwise</b> (the request is held, routed, or its response streams): no limit here.
 * </ul>
 *
 * One instance per connection; every method runs on the connection's event loop.
 */
public final class ConnectionGuard extends ChannelDuplexHandler {

  /** Handler names in the pipeline. */
  static final String NAME = "zeroscale.connectionGuard";

  static final String BYTES_NAME = "zeroscale.bytesIn";

  /** How long the rest of an unwanted request body is read and dropped before the close. */
  static final java.time.Duration LINGER = java.time.Duration.ofSeconds(5);

  private final ServerLimits limits;
  private final LongSupplier nanos;

  /** No wait is running. */
  private static final long NO_DEADLINE = Long.MIN_VALUE;

  private ScheduledFuture<?> timer;
  private long timerAt;
  private long deadline = NO_DEADLINE;
  private boolean inRequest;
  private boolean receivingBody;
  private boolean finishingBody;
  private boolean responding;
  private boolean headRequest;
  private boolean closeAfterResponse;
  private boolean bytesSinceResponse;
  private boolean lingering;
  private long bodyStarted;
  private long lastRead;

  ConnectionGuard(ServerLimits limits, LongSupplier nanos) {
    this.limits = limits;
    this.nanos = nanos;
  }

  /**
   * Installs the guard around Netty's HTTP codec of a new connection's pipeline.
   *
   * @param codecName the codec's handler name (Reactor Netty's {@code NettyPipeline.HttpCodec})
   */
  public static void install(ChannelPipeline pipeline, String codecName, ServerLimits limits) {
    if (pipeline.get(codecName) == null || pipeline.get(NAME) != null) {
      return;
    }
    ConnectionGuard guard = new ConnectionGuard(limits, System::nanoTime);
    pipeline.addBefore(codecName, BYTES_NAME, guard.bytesIn());
    pipeline.addAfter(codecName, NAME, guard);
  }

  /** Sits before the codec: tells whether any byte of a next request head has arrived. */
  ChannelInboundHandlerAdapter bytesIn() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
          // The rest of a request we already answered: read and dropped, so closing the
          // connection does not reset it and lose our answer.
          ReferenceCountUtil.release(msg);
          return;
        }
        if (msg instanceof ByteBuf b && b.isReadable()) {
          bytesSinceResponse = true;
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      awaitHead(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    awaitHead(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopTimer();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stopTimer();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      cancel();
      inRequest = true;
      headRequest = HttpMethod.HEAD.equals(request.method());
      receivingBody = !(msg instanceof LastHttpContent);
      if (receivingBody) {
        bodyStarted = nanos.getAsLong();
        lastRead = bodyStarted;
        schedule(ctx, Math.min(limits.bodyIdleTimeout().toNanos(), limits.bodyTimeout().toNanos()));
      }
    } else if (msg instanceof HttpContent && receivingBody) {
      lastRead = nanos.getAsLong();
      if (msg instanceof LastHttpContent) {
        receivingBody = false;
        cancel();
      }
    } else if (msg instanceof LastHttpContent && finishingBody) {
      // The end of a body answered early: its bytes were not the start of a next request head.
      finishingBody = false;
      bytesSinceResponse = false;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    Object out = msg;
    if (msg instanceof HttpResponse response) {
      responding = true;
      if (receivingBody) {
        // Answered before the body was read (a refusal at admission): no body timeout may fire
        // into a finished exchange. What is left of the body is Reactor Netty's to discard, as
        // for any early answer; closing here instead would reset a client still sending it and
        // could destroy the answer it has not read yet.
        receivingBody = false;
        finishingBody = true;
        cancel();
      }
      if (msg instanceof FullHttpResponse full) {
        out = withErrorBody(full, headRequest);
      }
    }
    // Reactor Netty often writes with the channel's void promise, which takes no listener.
    ChannelPromise written = out instanceof LastHttpContent ? promise.unvoid() : promise;
    if (out instanceof LastHttpContent) {
      boolean close = closeAfterResponse;
      written.addListener(
          f -> {
            if (close) {
              linger(ctx);
            } else if (f.isSuccess()) {
              inRequest = false;
              responding = false;
              awaitHead(ctx);
            }
          });
    }
    super.write(ctx, out, written);
  }

  /**
   * Ends a connection whose request did not arrive in time (a 408) without losing the answer:
   * closing a socket with unread bytes sends a reset that can destroy the answer in flight, so the
   * output is shut down (FIN after the answer) and what the client still sends is read and dropped
   * for {@link #LINGER} at most, as nginx's lingering close does.
   */
  private void linger(ChannelHandlerContext ctx) {
    cancel();
    lingering = true;
    if (ctx.channel() instanceof DuplexChannel duplex && ctx.channel().isActive()) {
      duplex.shutdownOutput();
      ctx.channel().config().setAutoRead(true);
      ctx.read();
      ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      ctx.close();
    }
  }

  /** Starts the wait for the next request head. */
  private void awaitHead(ChannelHandlerContext ctx) {
    bytesSinceResponse = false;
    schedule(ctx, limits.requestHeadTimeout().toNanos());
  }

  /**
   * Starts a wait that times out {@code delayNanos} from now. The timer is not moved for every
   * request: one timer per connection fires at least every {@link #period()}, and only acts once
   * the current deadline has passed. A keep-alive connection under load thus costs no timer work
   * per request (a scheduled task's insert and removal each time showed in the profile).
   */
  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    long now = nanos.getAsLong();
    deadline = now + delayNanos;
    if (timer != null && timerAt - deadline <= 0) {
      return; // the pending timer fires in time, and fire() waits on from there
    }
    if (timer != null) {
      timer.cancel(false);
    }
    arm(ctx, now, Math.min(delayNanos, period()));
  }

  private void arm(ChannelHandlerContext ctx, long now, long delayNanos) {
    timerAt = now + delayNanos;
    timer = ctx.executor().schedule(() -> fire(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  /** The longest a timer waits before it looks again: the shortest of the time limits. */
  private long period() {
    return Math.min(
        limits.requestHeadTimeout().toNanos(),
        Math.min(limits.bodyIdleTimeout().toNanos(), limits.bodyTimeout().toNanos()));
  }

  /** Ends the current wait; a pending timer fires later and finds nothing to do. */
  private void cancel() {
    deadline = NO_DEADLINE;
  }

  /** The connection is gone: the timer too. */
  private void stopTimer() {
    deadline = NO_DEADLINE;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void fire(ChannelHandlerContext ctx) {
    timer = null;
    if (deadline == NO_DEADLINE) {
      return;
    }
    long now = nanos.getAsLong();
    if (now - deadline < 0) {
      arm(ctx, now, Math.min(deadline - now, period()));
      return;
    }
    deadline = NO_DEADLINE;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!inRequest) {
      if (bytesSinceResponse) {
        ctx.writeAndFlush(errorResponse(HttpResponseStatus.REQUEST_TIMEOUT, false))
            .addListener(f -> linger(ctx));
      } else {
        ctx.close();
      }
      return;
    }
    if (!receivingBody || responding) {
      return;
    }
    now = nanos.getAsLong();
    long idleLeft = limits.bodyIdleTimeout().toNanos() - (now - lastRead);
    long totalLeft = limits.bodyTimeout().toNanos() - (now - bodyStarted);
    if (idleLeft > 0 && totalLeft > 0) {
      schedule(ctx, Math.min(idleLeft, totalLeft));
      return;
    }
    receivingBody = false;
    closeAfterResponse = true;
    String why =
        idleLeft <= 0
            ? "no byte of the request body arrived for " + seconds(limits.bodyIdleTimeout())
            : "the request body did not arrive within " + seconds(limits.bodyTimeout());
    // Raised into the request's body: whatever reads it fails, and the error handler answers.
    ctx.fireExceptionCaught(
        new ZeroscaleException(
            OpenAiError.of(408, "Request timeout: " + why + ".", null, "request_timeout")));
    // Should nothing answer (no reader of the body), the connection still goes.
    ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String seconds(java.time.Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /**
   * Netty's and Reactor Netty's own refusals carry no body: give them OpenAI's. A response of ours
   * (or of an instance) always has a body or a content type, and is left alone.
   */
  static Object withErrorBody(FullHttpResponse full, boolean headRequest) {
    int status = full.status().code();
    if (status < 400
        || headRequest
        || full.content().isReadable()
        || full.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
      return full;
    }
    FullHttpResponse replaced = full.replace(Unpooled.wrappedBuffer(errorJson(full.status())));
    full.release();
    replaced
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, replaced.content().readableBytes());
    return replaced;
  }

  static FullHttpResponse errorResponse(HttpResponseStatus status, boolean headRequest) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(errorJson(status)));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }

  /** The OpenAI error for a refusal made below the application. */
  static byte[] errorJson(HttpResponseStatus status) {
    OpenAiError e =
        switch (status.code()) {
          case 400 ->
              OpenAiError.of(
                  400,
                  "Malformed HTTP request: the request line, a header or the chunked body could"
                      + " not be parsed.",
                  null,
                  "malformed_request");
          case 408 ->
              OpenAiError.of(
                  408,
                  "Request timeout: the request line and headers did not arrive in time.",
                  null,
                  "request_timeout");
          case 413 -> OpenAiError.of(413, "Request body too large.", null, "request_too_large");
          case 414 ->
              OpenAiError.of(
                  414, "The request line (method and URL) is too long.", null, "uri_too_long");
          case 431 ->
              OpenAiError.of(431, "The request headers are too large.", null, "headers_too_large");
          default -> OpenAiError.of(status.code(), status.reasonPhrase() + ".");
        };
    return toJson(e).getBytes(StandardCharsets.UTF_8);
  }

  /** Hand-written: below the application there is no mapper, and these strings need no escaping. */
  private static String toJson(OpenAiError e) {
    return "{\"error\":{\"message\":\""
        + e.message().replace("\\", "\\\\").replace("\"", "\\\"")
        + "\",\"type\":\""
        + e.type()
        + "\",\"param\":null,\"code\":"
        + (e.code() == null ? "null" : "\"" + e.code() + "\"")
        + "}}";
  }
}
