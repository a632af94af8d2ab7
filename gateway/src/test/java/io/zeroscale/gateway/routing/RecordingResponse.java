package io.zeroscale.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A server response that keeps what is written to it, one string per flush, and becomes committed
 * (read-only headers) on the first write, like Reactor Netty's.
 */
final class RecordingResponse extends AbstractServerHttpResponse {

  /** Each flushed piece of the body, in order. */
  final List<String> flushes = new CopyOnWriteArrayList<>();

  RecordingResponse() {
    super(DefaultDataBufferFactory.sharedInstance);
  }

  String body() {
    return String.join("", flushes);
  }

  @Override
  public <T> T getNativeResponse() {
    throw new UnsupportedOperationException();
  }

  @Override
  protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
    return Flux.from(body).map(RecordingResponse::text).doOnNext(flushes::add).then();
  }

  @Override
  protected Mono<Void> writeAndFlushWithInternal(
      Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return Flux.from(body)
        .concatMap(
            chunk ->
                Flux.from(chunk)
                    .map(RecordingResponse::text)
                    .reduce("", String::concat)
                    .doOnNext(flushes::add))
        .then();
  }

  private static String text(DataBuffer b) {
    String s = b.toString(StandardCharsets.UTF_8);
    DataBufferUtils.release(b);
    return s;
  }

  @Override
  protected void applyStatusCode() {}

  @Override
  protected void applyHeaders() {}

  @Override
  protected void applyCookies() {}
}
