package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class BodyReaderTest {

  private final DefaultDataBufferFactory plain = DefaultDataBufferFactory.sharedInstance;

  /** Reference-counted buffers, so that a missing or double release shows. */
  private final NettyDataBufferFactory netty =
      new NettyDataBufferFactory(new UnpooledByteBufAllocator(false));

  private final List<NettyDataBuffer> issued = new ArrayList<>();

  private static byte[] seq(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  private Flux<DataBuffer> plainChunks(int... sizes) {
    List<DataBuffer> list = new ArrayList<>();
    int at = 0;
    for (int size : sizes) {
      list.add(plain.wrap(seq(at, size)));
      at += size;
    }
    return Flux.fromIterable(list);
  }

  /** Netty buffers made on demand, so that the ones never requested are never allocated. */
  private Flux<DataBuffer> nettyChunks(int... sizes) {
    return Flux.range(0, sizes.length)
        .map(
            i -> {
              int at = 0;
              for (int k = 0; k < i; k++) {
                at += sizes[k];
              }
              NettyDataBuffer b = netty.allocateBuffer(sizes[i]);
              b.write(seq(at, sizes[i]));
              issued.add(b);
              return b;
            });
  }

  private void assertAllReleased() {
    assertThat(issued).isNotEmpty();
    for (NettyDataBuffer b : issued) {
      assertThat(b.getNativeBuffer().refCnt()).isZero();
    }
  }

  @Test
  void joinsChunksInOrder() {
    StepVerifier.create(BodyReader.read(plainChunks(3, 0, 5, 2), 100, null))
        .assertNext(bytes -> assertThat(bytes).isEqualTo(seq(0, 10)))
        .verifyComplete();
    StepVerifier.create(BodyReader.read(plainChunks(3, 5, 2), 100, 10L))
        .assertNext(bytes -> assertThat(bytes).isEqualTo(seq(0, 10)))
        .verifyComplete();
  }

  @Test
  void exactlyTheLimitIsAccepted() {
    StepVerifier.create(BodyReader.read(plainChunks(4, 4, 2), 10, 10L))
        .assertNext(bytes -> assertThat(bytes).hasSize(10))
        .verifyComplete();
    StepVerifier.create(BodyReader.read(plainChunks(4, 4, 2), 10, null))
        .assertNext(bytes -> assertThat(bytes).hasSize(10))
        .verifyComplete();
  }

  @Test
  void anEmptyBodyIsAnEmptyArray() {
    StepVerifier.create(BodyReader.read(Flux.empty(), 10, null))
        .assertNext(bytes -> assertThat(bytes).isEmpty())
        .verifyComplete();
    StepVerifier.create(BodyReader.read(Flux.empty(), 10, 0L))
        .assertNext(bytes -> assertThat(bytes).isEmpty())
        .verifyComplete();
  }

  @Test
  void aContentLengthOverTheLimitIsRefusedBeforeReading() {
    AtomicBoolean subscribed = new AtomicBoolean();
    Flux<DataBuffer> body = plainChunks(1).doOnSubscribe(s -> subscribed.set(true));
    StepVerifier.create(BodyReader.read(body, 2_097_152, 3_000_000L, "/v1/embeddings"))
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(ZeroscaleException.class);
              ZeroscaleException z = (ZeroscaleException) e;
              assertThat(z.error().status()).isEqualTo(413);
              assertThat(z.error().code()).isEqualTo("request_too_large");
              assertThat(z.error().message())
                  .isEqualTo(
                      "Request body too large: 3000000 bytes exceed the limit of 2097152 bytes"
                          + " for /v1/embeddings.");
            })
        .verify();
    assertThat(subscribed).isFalse();
  }

  @Test
  void aChunkedBodyFailsAsSoonAsItPassesTheLimitAndStopsReading() {
    AtomicInteger emitted = new AtomicInteger();
    AtomicBoolean cancelled = new AtomicBoolean();
    Flux<DataBuffer> body =
        nettyChunks(1000, 1000, 1000, 1000, 1000)
            .doOnNext(b -> emitted.incrementAndGet())
            .doOnCancel(() -> cancelled.set(true));
    StepVerifier.create(BodyReader.read(body, 2500, null, "/v1/chat/completions"))
        .expectErrorSatisfies(
            e ->
                assertThat(((ZeroscaleException) e).error().message())
                    .isEqualTo(
                        "Request body too large: at least 3000 bytes exceed the limit of 2500"
                            + " bytes for /v1/chat/completions."))
        .verify();
    assertThat(emitted).hasValue(3);
    assertThat(cancelled).isTrue();
    assertAllReleased();
  }

  @Test
  void moreBytesThanTheContentLengthAnnouncedStillCountAgainstTheLimit() {
    StepVerifier.create(BodyReader.read(nettyChunks(6, 6), 10, 6L))
        .expectError(ZeroscaleException.class)
        .verify();
    assertAllReleased();
    issued.clear();
    StepVerifier.create(BodyReader.read(nettyChunks(6, 3), 10, 6L))
        .assertNext(bytes -> assertThat(bytes).isEqualTo(seq(0, 9)))
        .verifyComplete();
    StepVerifier.create(BodyReader.read(nettyChunks(2, 2), 10, 6L))
        .assertNext(bytes -> assertThat(bytes).isEqualTo(seq(0, 4)))
        .verifyComplete();
    assertAllReleased();
  }

  @Test
  void aLargeDeclaredBodyIsNotPreallocatedButReadTheSame() {
    int size = BodyReader.PREALLOCATE_MAX + 10;
    StepVerifier.create(
            BodyReader.read(nettyChunks(65536, 65536, 65536, 65536, 10), size, (long) size, null))
        .assertNext(bytes -> assertThat(bytes).isEqualTo(seq(0, size)))
        .verifyComplete();
    assertAllReleased();
  }

  @Test
  void everyBufferIsReleasedOnSuccess() {
    StepVerifier.create(BodyReader.read(nettyChunks(10, 20, 30), 60, null))
        .assertNext(bytes -> assertThat(bytes).isEqualTo(seq(0, 60)))
        .verifyComplete();
    assertThat(issued).hasSize(3);
    assertAllReleased();
  }

  @Test
  void buffersAreReleasedWhenTheReaderIsCancelled() {
    Sinks.Many<DataBuffer> sink = Sinks.many().unicast().onBackpressureBuffer();
    NettyDataBuffer first = netty.allocateBuffer(4);
    first.write(seq(0, 4));
    issued.add(first);
    StepVerifier.create(BodyReader.read(sink.asFlux(), 100, null))
        .then(() -> sink.tryEmitNext(first))
        .thenCancel()
        .verify();
    assertAllReleased();
  }

  @Test
  void anUpstreamErrorPassesThrough() {
    StepVerifier.create(
            BodyReader.read(
                nettyChunks(5).concatWith(Flux.error(new IllegalStateException("reset"))),
                100,
                null))
        .expectErrorMessage("reset")
        .verify();
    assertAllReleased();
  }

  @Test
  void aChunkedBodyGrowsItsReservationAsItArrives() {
    BodyBudget budget = new BodyBudget(new BodyBudget.Limits(10_000, 5_000, 0));
    BodyBudget.Reservation r = budget.open("t");
    StepVerifier.create(BodyReader.read(nettyChunks(1000, 1500), 4000, null, null, r))
        .assertNext(bytes -> assertThat(bytes).hasSize(2500))
        .verifyComplete();
    assertThat(r.bytes()).isEqualTo(2500);
    assertThat(budget.used("t")).isEqualTo(2500);
    r.release();
    assertThat(budget.used()).isZero();
    assertAllReleased();
  }

  @Test
  void aChunkedBodyPastItsTenantsBudgetIs429AndStopsReading() {
    BodyBudget budget = new BodyBudget(new BodyBudget.Limits(10_000, 2_500, 0));
    BodyBudget.Reservation r = budget.open("t");
    AtomicInteger emitted = new AtomicInteger();
    AtomicBoolean cancelled = new AtomicBoolean();
    Flux<DataBuffer> body =
        nettyChunks(1000, 1000, 1000, 1000, 1000)
            .doOnNext(b -> emitted.incrementAndGet())
            .doOnCancel(() -> cancelled.set(true));
    StepVerifier.create(BodyReader.read(body, 1_000_000, null, null, r))
        .expectErrorSatisfies(
            e -> {
              ZeroscaleException z = (ZeroscaleException) e;
              assertThat(z.error().status()).isEqualTo(429);
              assertThat(z.error().code()).isEqualTo("too_many_request_bytes");
              assertThat(z.retryAfterSeconds()).isEqualTo(1);
            })
        .verify();
    assertThat(emitted).hasValue(3);
    assertThat(cancelled).isTrue();
    assertThat(r.bytes()).as("the refused chunk is not reserved").isEqualTo(2000);
    assertAllReleased();
  }
}
