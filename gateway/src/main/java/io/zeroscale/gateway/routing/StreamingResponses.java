package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import java.nio.charset.StandardCharsets;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Wraps the client's response around the proxied one. {@link UpstreamProxy} writes an event stream
 * with {@code writeWith}: Reactor Netty flushes as soon as the chunks of one upstream read are
 * written, so every SSE event leaves as soon as it arrives; this decorator lets the request's meter
 * see each chunk as it passes (token usage, time to first token), and adds what a silent proxy
 * would lose: when the instance fails in the middle of a stream, the client gets an OpenAI-style
 * {@code error} event and a clean end instead of a cut connection; when it answers an error
 * (4xx/5xx), the client gets that error in OpenAI's shape ({@link UpstreamErrors}), with the
 * instance's status and message.
 */
public final class StreamingResponses {

  private static final Logger log = LoggerFactory.getLogger(StreamingResponses.class);

  /** Marks an instance's error body too large to read. */
  private static final byte[] TOO_LARGE = new byte[0];

  /** Wraps {@code response} for one proxied request. */
  ServerHttpResponse decorate(
      ServerHttpResponse response, DeploymentSpec spec, SlotLease lease, RequestMeter meter) {
    return new ServerHttpResponseDecorator(response) {
      @Override
      public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        HttpStatusCode status = getDelegate().getStatusCode();
        if (status != null && status.value() >= 400 && !isEventStream(getDelegate())) {
          return writeError(status.value(), body);
        }
        if (body instanceof Mono<? extends DataBuffer> whole) {
          // A body in one buffer stays a Mono: sent with its headers in one write.
          return super.writeWith(whole.doOnNext(b -> meter.accept(getDelegate(), b)));
        }
        Flux<DataBuffer> metered =
            Flux.<DataBuffer>from(body).doOnNext(b -> meter.accept(getDelegate(), b));
        if (!isEventStream(getDelegate())) {
          return super.writeWith(metered);
        }
        // An event stream: Reactor Netty flushes once the chunks of one upstream read are
        // written, so every event still leaves as soon as it arrives, without a publisher and
        // a flush of its own per chunk.
        return super.writeWith(
            metered.onErrorResume(e -> Mono.just(streamFailed(e, spec, lease, meter))));
      }

      private DataBuffer streamFailed(
          Throwable e, DeploymentSpec spec, SlotLease lease, RequestMeter meter) {
        meter.failed(new UpstreamStreamFailure(e));
        log.warn(
            "Stream from instance {} of {} failed mid-way: {}",
            lease.instanceId(),
            spec.fullName(),
            e.toString());
        return errorEvent(bufferFactory(), spec);
      }

      /** An instance's error answer, rewritten in OpenAI's shape (see {@link UpstreamErrors}). */
      private Mono<Void> writeError(int status, Publisher<? extends DataBuffer> body) {
        return DataBufferUtils.join(body, UpstreamErrors.MAX_BODY_BYTES)
            .map(
                joined -> {
                  byte[] raw = new byte[joined.readableByteCount()];
                  joined.read(raw);
                  DataBufferUtils.release(joined);
                  return raw;
                })
            .defaultIfEmpty(new byte[0])
            .onErrorResume(DataBufferLimitException.class, e -> Mono.just(TOO_LARGE))
            .flatMap(
                raw -> {
                  byte[] json = UpstreamErrors.normalize(status, raw == TOO_LARGE ? null : raw);
                  HttpHeaders headers = getDelegate().getHeaders();
                  headers.setContentType(MediaType.APPLICATION_JSON);
                  headers.setContentLength(json.length);
                  headers.remove(HttpHeaders.CONTENT_ENCODING);
                  headers.remove(HttpHeaders.TRANSFER_ENCODING);
                  DataBuffer out = bufferFactory().wrap(json);
                  meter.accept(getDelegate(), out);
                  return super.writeWith(Mono.just(out));
                });
      }

      @Override
      public Mono<Void> writeAndFlushWith(
          Publisher<? extends Publisher<? extends DataBuffer>> body) {
        Flux<Publisher<? extends DataBuffer>> metered =
            Flux.from(body)
                .map(
                    chunk ->
                        Flux.<DataBuffer>from(chunk).doOnNext(b -> meter.accept(getDelegate(), b)));
        if (!isEventStream(getDelegate())) {
          return super.writeAndFlushWith(metered);
        }
        Flux<Publisher<? extends DataBuffer>> events =
            metered.onErrorResume(e -> Flux.just(Flux.just(streamFailed(e, spec, lease, meter))));
        return super.writeAndFlushWith(events);
      }
    };
  }

  /** The instance failed after the response started: metered as 502. */
  static final class UpstreamStreamFailure extends RuntimeException {
    UpstreamStreamFailure(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  static boolean isEventStream(ServerHttpResponse response) {
    MediaType type = response.getHeaders().getContentType();
    return type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type);
  }

  /** The last event of a stream whose instance failed: OpenAI's error shape, as SSE data. */
  static DataBuffer errorEvent(DataBufferFactory factory, DeploymentSpec spec) {
    // Starts with a blank line: if the instance died in the middle of an event, that partial
    // event is closed off instead of being merged with this one.
    String event =
        "\n\ndata: {\"error\":{\"message\":\"The instance serving "
            + spec.fullName().replace("\"", "")
            + " failed while streaming; the response is incomplete.\",\"type\":\"server_error\","
            + "\"param\":null,\"code\":\"upstream_stream_error\"}}\n\n";
    return factory.wrap(event.getBytes(StandardCharsets.UTF_8));
  }
}
