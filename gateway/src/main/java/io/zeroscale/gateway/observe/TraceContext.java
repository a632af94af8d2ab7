package io.zeroscale.gateway.observe;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A W3C Trace Context {@code traceparent} (https://www.w3.org/TR/trace-context/), without a tracing
 * library: {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01} is version {@code 00}, a
 * 16-byte trace id, the 8-byte id of the caller's span, and flags (bit 0: sampled).
 *
 * <p>The gateway is one hop of the client's trace: the instance gets the same trace id with a new
 * span id (the gateway's hop), so a trace shows client → gateway → engine. An invalid or missing
 * header starts a fresh trace instead of being forwarded: per the spec a broken traceparent must
 * not travel on. A fresh trace is marked sampled ({@code 01}) so that an engine with parent-based
 * sampling (vLLM's OpenTelemetry default) records it; an incoming trace keeps its sampled bit.
 * Forward {@code tracestate} unchanged only when the incoming traceparent was valid.
 *
 * <p>This is the zero-dependency fallback: with micrometer-tracing on the classpath, its propagator
 * does the same and also records the gateway's span.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId 16 lowercase hex digits, not all zero: the span this header names as parent
 * @param flags the trace flags, 0 to 255
 */
public record TraceContext(String traceId, String spanId, int flags) {

  public static final String HEADER = "traceparent";

  /** The sampled flag. */
  public static final int SAMPLED = 0x01;

  /** {@code 00-} + 32 + {@code -} + 16 + {@code -} + 2 = 55 characters. */
  static final int LENGTH = 55;

  private static final HexFormat HEX = HexFormat.of();

  public TraceContext {
    if (!isHexId(traceId, 32)) {
      throw new IllegalArgumentException(
          "traceId must be 32 lowercase hex digits, not all zero, got " + traceId);
    }
    if (!isHexId(spanId, 16)) {
      throw new IllegalArgumentException(
          "spanId must be 16 lowercase hex digits, not all zero, got " + spanId);
    }
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags must be between 0 and 255, got " + flags);
    }
  }

  /**
   * The traceparent to send upstream: the incoming trace with a new span id when {@code
   * incomingOrNull} is valid, a fresh sampled trace otherwise.
   */
  public static String child(String incomingOrNull) {
    RandomGenerator random = ThreadLocalRandom.current();
    return parse(incomingOrNull)
        .map(t -> t.childSpan(random))
        .orElseGet(() -> fresh(random))
        .header();
  }

  /**
   * Parses a {@code traceparent}. Version {@code 00} must be exactly 55 characters; a later version
   * is read by its first 55 characters when the 56th is {@code -} or absent (the spec's
   * forward-compatibility rule); version {@code ff}, uppercase hex and all-zero ids are invalid.
   * Surrounding spaces and tabs are ignored.
   */
  public static Optional<TraceContext> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String h = header.strip();
    if (h.length() < LENGTH) {
      return Optional.empty();
    }
    if (!isLowerHex(h, 0, 2) || h.startsWith("ff")) {
      return Optional.empty();
    }
    boolean v00 = h.startsWith("00");
    if (v00 ? h.length() != LENGTH : h.length() > LENGTH && h.charAt(LENGTH) != '-') {
      return Optional.empty();
    }
    if (h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
      return Optional.empty();
    }
    String traceId = h.substring(3, 35);
    String spanId = h.substring(36, 52);
    if (!isHexId(traceId, 32) || !isHexId(spanId, 16) || !isLowerHex(h, 53, 55)) {
      return Optional.empty();
    }
    return Optional.of(new TraceContext(traceId, spanId, HexFormat.fromHexDigits(h, 53, 55)));
  }

  /** A new trace, sampled, with random ids. */
  public static TraceContext fresh(RandomGenerator random) {
    return new TraceContext(randomHex(random, 2), randomHex(random, 1), SAMPLED);
  }

  /**
   * The same trace with a new span id: the hop this gateway adds. Only the sampled bit of the flags
   * is kept: the other bits mean nothing in version 00, and are not ours to vouch for.
   */
  public TraceContext childSpan(RandomGenerator random) {
    return new TraceContext(traceId, randomHex(random, 1), flags & SAMPLED);
  }

  public boolean sampled() {
    return (flags & SAMPLED) != 0;
  }

  /** The header value, always version {@code 00}. */
  public String header() {
    return "00-" + traceId + "-" + spanId + "-" + HEX.toHexDigits((byte) flags);
  }

  /** {@code longs} random 64-bit words as hex, retried in the 2^-64 case that all are zero. */
  private static String randomHex(RandomGenerator random, int longs) {
    while (true) {
      StringBuilder sb = new StringBuilder(longs * 16);
      boolean nonZero = false;
      for (int i = 0; i < longs; i++) {
        long word = random.nextLong();
        nonZero |= word != 0;
        sb.append(HEX.toHexDigits(word));
      }
      if (nonZero) {
        return sb.toString();
      }
    }
  }

  private static boolean isHexId(String s, int length) {
    if (s == null || s.length() != length || !isLowerHex(s, 0, length)) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) != '0') {
        return true;
      }
    }
    return false;
  }

  private static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
