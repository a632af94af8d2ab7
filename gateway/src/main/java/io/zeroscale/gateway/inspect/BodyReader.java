package io.zeroscale.gateway.inspect;

import io.zeroscale.gateway.error.ZeroscaleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * Reads a request body into one {@code byte[]} under a size limit, so that it can be inspected and
 * then forwarded unchanged (wrap the same array; no second copy).
 *
 * <ul>
 *   <li>A {@code Content-Length} over the limit fails at once, before a byte is read: a 40 MB
 *       upload to a 32 MiB limit costs nothing but the 413.
 *   <li>Otherwise every buffer is copied out and released as it arrives, and the read fails as soon
 *       as the running total exceeds the limit; the rest of the body is never requested.
 *   <li>A body that declares at most {@value #PREALLOCATE_MAX} bytes (nearly every chat or
 *       embeddings request) is copied once into an array of exactly that size. Any other body is
 *       kept as the list of chunks that arrived and joined at the end (two copies, at most twice
 *       the body in memory for a moment; the chunks are let go once joined), so memory follows what
 *       was received, not what was announced: 1000 stalled uploads that each declare 32 MiB would
 *       otherwise reserve 32 GiB.
 * </ul>
 *
 * <p>Every {@link DataBuffer} that reaches this reader is released exactly once, also when the
 * limit is hit mid-buffer or the subscriber cancels (client gone): no pooled Netty memory leaks.
 */
public final class BodyReader {

  /** Largest declared length allocated up front; see the class comment. */
  static final int PREALLOCATE_MAX = 256 * 1024;

  private BodyReader() {}

  /** {@link #read(Flux, long, Long, String)} with no path in the 413 message. */
  public static Mono<byte[]> read(Flux<DataBuffer> body, long limit, Long contentLengthOrNull) {
    return read(body, limit, contentLengthOrNull, null);
  }

  /**
   * The whole body, or a {@link ZeroscaleException} with the 413 {@code request_too_large}.
   *
   * @param limit the most bytes accepted; exactly {@code limit} bytes is fine
   * @param contentLengthOrNull the request's {@code Content-Length}; null (or negative) when the
   *     body is chunked
   * @param path named in the 413 message (e.g. {@code /v1/embeddings}); may be null
   */
  public static Mono<byte[]> read(
      Flux<DataBuffer> body, long limit, Long contentLengthOrNull, String path) {
    return read(body, limit, contentLengthOrNull, path, null);
  }

  /**
   * {@link #read(Flux, long, Long, String)}, growing {@code reservation} as bytes arrive: a body
   * that outgrows its tenant's or the gateway's {@link BodyBudget} fails with 429 {@code
   * too_many_request_bytes} ({@code Retry-After: 1}) and the rest is never requested.
   *
   * @param reservation the request's share of the budget, already holding what it declared; null
   *     for none
   */
  public static Mono<byte[]> read(
      Flux<DataBuffer> body,
      long limit,
      Long contentLengthOrNull,
      String path,
      BodyBudget.Reservation reservation) {
    if (limit < 0 || limit > BodyLimits.MAX_BYTES) {
      throw new IllegalArgumentException(
          "limit must be between 0 and " + BodyLimits.MAX_BYTES + ", got " + limit);
    }
    long declared = contentLengthOrNull == null ? -1 : contentLengthOrNull;
    if (declared > limit) {
      return Mono.error(new ZeroscaleException(BodyLimits.tooLarge(declared, limit, path)));
    }
    return Mono.defer(
        () -> {
          Accumulator acc = new Accumulator(declared);
          return body.<Void>handle(
                  (DataBuffer buffer, SynchronousSink<Void> sink) -> {
                    boolean fits;
                    BodyBudget.Scope over = null;
                    try {
                      // Reserved before copying: a refused chunk is never held.
                      over =
                          reservation == null
                              ? null
                              : reservation.ensure(acc.total() + buffer.readableByteCount());
                      fits = over == null && acc.append(buffer, limit);
                    } finally {
                      DataBufferUtils.release(buffer);
                    }
                    if (over != null) {
                      sink.error(new ZeroscaleException(BodyBudget.refusal(over), 1));
                    } else if (!fits) {
                      sink.error(
                          new ZeroscaleException(
                              BodyLimits.tooLargeAtLeast(acc.seen(), limit, path)));
                    }
                  })
              .then(Mono.fromSupplier(acc::bytes));
        });
  }

  /** The bytes received so far; one per subscription. */
  private static final class Accumulator {

    /** Allocated once when the length is declared; null once bytes go to {@link #chunks}. */
    private byte[] direct;

    private List<byte[]> chunks;
    private long total;
    private long seen;

    Accumulator(long declared) {
      if (declared >= 0 && declared <= PREALLOCATE_MAX) {
        direct = new byte[(int) declared];
      } else {
        chunks = new ArrayList<>();
      }
    }

    /** Copies the buffer's readable bytes; false, copying nothing, when they pass the limit. */
    boolean append(DataBuffer buffer, long limit) {
      int n = buffer.readableByteCount();
      seen = total + n;
      if (seen > limit) {
        return false;
      }
      if (n == 0) {
        return true;
      }
      if (direct != null && total + n <= direct.length) {
        buffer.read(direct, (int) total, n);
      } else {
        if (direct != null) {
          // More than Content-Length announced (a server would not let this through; stay safe).
          chunks = new ArrayList<>();
          chunks.add(Arrays.copyOf(direct, (int) total));
          direct = null;
        }
        byte[] chunk = new byte[n];
        buffer.read(chunk, 0, n);
        chunks.add(chunk);
      }
      total += n;
      return true;
    }

    long seen() {
      return seen;
    }

    long total() {
      return total;
    }

    /**
     * The body, once; the accumulator then lets go of its arrays. It stays reachable from the
     * request's subscription for as long as the request is held, so keeping the chunks beside the
     * joined array would hold the body twice (measured: 60 held 2 MiB bodies kept ~260 MB).
     */
    byte[] bytes() {
      byte[] out;
      if (direct != null) {
        out = total == direct.length ? direct : Arrays.copyOf(direct, (int) total);
      } else if (chunks.size() == 1) {
        out = chunks.get(0);
      } else {
        out = new byte[(int) total];
        int at = 0;
        for (byte[] chunk : chunks) {
          System.arraycopy(chunk, 0, out, at, chunk.length);
          at += chunk.length;
        }
      }
      direct = null;
      chunks = null;
      return out;
    }
  }
}
