package io.zeroscale.gateway.auth;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import reactor.netty.NettyPipeline;

/**
 * Answers a request whose target is not a valid URI ({@code /v1/%zz}, {@code /v1/models?x=%zz}, a
 * raw space or control character) with the OpenAI-shaped 400 {@code invalid_path}, and closes the
 * connection.
 *
 * <p>Why at the Netty level: Spring builds a {@link URI} from the target before any filter runs,
 * and answers a 400 with an empty body when that fails, so {@link AuthWebFilter} never sees such a
 * request. This handler sits right after the HTTP codec and makes the same check first ({@code new
 * URI} on the target as Spring resolves it), so a target Spring would refuse is refused here with a
 * body, and every other request passes untouched. The response is written towards the codec only,
 * bypassing Reactor Netty's request bookkeeping, which never saw the request; hence the close.
 */
public final class InvalidTargetHandler extends ChannelInboundHandlerAdapter {

  public static final String NAME = "zeroscale.invalidTarget";

  static final String BODY =
      "{\"error\":{\"message\":\"Invalid request target: not a valid URI (a '%' not followed by"
          + " two hex digits, or a character that must be percent-encoded).\","
          + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_path\"}}";

  private static final byte[] BODY_BYTES = BODY.getBytes(StandardCharsets.UTF_8);

  /** Whether the body of a refused request is still arriving (dropped, not passed on). */
  private boolean discarding;

  /** Puts a new handler right after the HTTP/1.1 codec, if the pipeline has one. */
  public static void install(ChannelPipeline pipeline) {
    if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(NAME) == null) {
      pipeline.addAfter(NettyPipeline.HttpCodec, NAME, new InvalidTargetHandler());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request && !validTarget(request.uri())) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.BAD_REQUEST,
              Unpooled.wrappedBuffer(BODY_BYTES));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY_BYTES.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (discarding && msg instanceof HttpContent) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Whether Spring can build its request URI from this target: the absolute form keeps its path and
   * query, the origin form is appended to a base URL, as Spring's Reactor Netty adapter does.
   */
  static boolean validTarget(String target) {
    try {
      new URI("http://localhost" + originForm(target));
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** {@code http://host/a?b} → {@code /a?b}; an origin-form target as it is. */
  private static String originForm(String target) {
    int scheme = target.indexOf("://");
    if (scheme < 0 || target.startsWith("/")) {
      return target;
    }
    int path = -1;
    for (int i = scheme + 3; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        path = i;
        break;
      }
    }
    return path < 0 ? "" : target.substring(path);
  }
}
