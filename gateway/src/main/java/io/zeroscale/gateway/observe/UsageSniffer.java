package io.zeroscale.gateway.observe;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.springframework.core.io.buffer.DataBuffer;

/**
 * Learns token usage and time-to-first-event from a response while it is proxied, without altering,
 * delaying or holding back a byte: it is shown each chunk after (or as) the chunk is forwarded,
 * reads it without moving any buffer position, and keeps only bounded state.
 *
 * <ul>
 *   <li>{@code text/event-stream}: the stream is split into lines (CRLF, LF or CR, across chunk
 *       boundaries at any byte; a UTF-8 character split across chunks is harmless because line ends
 *       are ASCII bytes that never occur inside one). The last {@code data:} line whose JSON has a
 *       non-null top-level {@code usage} object gives the usage: with {@code
 *       stream_options.include_usage} that is the final chunk before {@code data: [DONE]}; with
 *       vLLM's {@code continuous_usage_stats}, every chunk's running total, the last being the
 *       whole. A line is parsed only when a cheap byte scan finds <code>"usage": {</code> in it.
 *       Memory is one line buffer of at most {@value #MAX_LINE} bytes: a longer line (it would be
 *       content, never a usage chunk, which is ~300 bytes) is skipped, however long the stream.
 *   <li>{@code application/json}: the body's last {@value #JSON_WINDOW} bytes are kept. A body that
 *       fits is parsed exactly for its top-level {@code usage}; a larger one (an embeddings batch:
 *       100 inputs × 1024 floats ≈ 2 MB) is searched from the end for the last {@code "usage":
 *       {...}}, which engines write last. So 200 concurrent responses hold at most 12.5 MiB here,
 *       whatever their size, and usage is still found for large embeddings batches.
 *   <li>Any other type (audio text, images as bytes): nothing is kept.
 * </ul>
 *
 * <p>Time to first event: the {@link LongSupplier} time at which the chunk holding the first byte
 * of the first {@code data:} line arrived; it is read at most once per chunk, and never again once
 * known. Not thread-safe: feed it from the one subscriber that sees the chunks in order.
 */
public final class UsageSniffer {

  /** Longest SSE line kept for inspection. */
  public static final int MAX_LINE = 64 * 1024;

  /** How much of a JSON body is kept: all of it up to this size, else its end. */
  public static final int JSON_WINDOW = 64 * 1024;

  private static final int INITIAL = 512;
  private static final int SCRATCH = 4 * 1024;
  private static final byte[] DATA = {'d', 'a', 't', 'a'};

  private enum Mode {
    SSE,
    JSON,
    NONE
  }

  private final Mode mode;
  private final LongSupplier nanoTime;

  /** SSE: the current line, or JSON: the window (linear until full, then a ring). */
  private byte[] buf = new byte[0];

  private int len;

  // SSE state.
  private boolean lineOverflow;
  private boolean afterCr;
  private boolean firstLine = true;
  private long lineNanos;
  // nanoTime values may be negative (System.nanoTime has an arbitrary origin): no sentinels.
  private long firstEventNanos;
  private boolean firstEventKnown;
  private Usage lastUsage;

  // JSON state.
  private boolean ring;
  private int head;
  private Optional<Usage> parsed;

  private byte[] scratch;

  private UsageSniffer(Mode mode, LongSupplier nanoTime) {
    this.mode = mode;
    this.nanoTime = nanoTime;
  }

  /**
   * A sniffer for a response's {@code Content-Type}: {@code text/event-stream}, {@code
   * application/json} (or any {@code +json}), or anything else, which is ignored.
   *
   * @param nanoTime the clock for {@link #firstEventNanos()}, e.g. {@code System::nanoTime}
   */
  public static UsageSniffer forContentType(String contentType, LongSupplier nanoTime) {
    if (contentType == null) {
      return new UsageSniffer(Mode.NONE, nanoTime);
    }
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    if (type.equals("text/event-stream")) {
      return new UsageSniffer(Mode.SSE, nanoTime);
    }
    if (type.equals("application/json") || type.endsWith("+json")) {
      return new UsageSniffer(Mode.JSON, nanoTime);
    }
    return new UsageSniffer(Mode.NONE, nanoTime);
  }

  public void accept(byte[] chunk) {
    accept(chunk, 0, chunk.length);
  }

  public void accept(byte[] chunk, int offset, int length) {
    switch (mode) {
      case SSE -> sse(chunk, offset, offset + length);
      case JSON -> json(chunk, offset, length);
      default -> {
        // nothing to learn from other types
      }
    }
  }

  /** Reads the buffer's remaining bytes; its position and limit are left as they were. */
  public void accept(ByteBuffer chunk) {
    if (mode == Mode.NONE) {
      return;
    }
    if (chunk.hasArray()) {
      accept(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
      return;
    }
    if (scratch == null) {
      scratch = new byte[SCRATCH];
    }
    for (int at = chunk.position(); at < chunk.limit(); at += SCRATCH) {
      int n = Math.min(SCRATCH, chunk.limit() - at);
      chunk.get(at, scratch, 0, n);
      accept(scratch, 0, n);
    }
  }

  /** Reads the buffer's readable bytes; its read position is left as it was. */
  public void accept(DataBuffer chunk) {
    if (mode == Mode.NONE) {
      return;
    }
    try (DataBuffer.ByteBufferIterator it = chunk.readableByteBuffers()) {
      while (it.hasNext()) {
        accept(it.next());
      }
    }
  }

  /** The usage the response reported, once it has been fed whole. */
  public Optional<Usage> usage() {
    return switch (mode) {
      case SSE -> {
        // A last line without its line end (a stream cut or ended sloppily) still counts when it
        // is whole JSON; a partial line fails to parse and is ignored.
        Optional<Usage> pending = len > 0 && !lineOverflow ? usageOfLine() : Optional.empty();
        yield pending.isPresent() ? pending : Optional.ofNullable(lastUsage);
      }
      case JSON -> {
        if (parsed == null) {
          parsed =
              ring
                  ? UsageJson.fromTail(linearWindow(), 0, JSON_WINDOW)
                  : UsageJson.fromDocument(buf, 0, len);
        }
        yield parsed;
      }
      default -> Optional.empty();
    };
  }

  /** When the first byte of the first SSE {@code data:} line arrived; empty for other types. */
  public OptionalLong firstEventNanos() {
    return firstEventKnown ? OptionalLong.of(firstEventNanos) : OptionalLong.empty();
  }

  /** Bytes held, for tests of the memory bound. */
  int retainedBytes() {
    return buf.length + (scratch == null ? 0 : scratch.length);
  }

  // ---- SSE

  private void sse(byte[] a, int from, int to) {
    long chunkNanos = 0;
    boolean chunkNanosRead = false;
    int i = from;
    while (i < to) {
      if (afterCr) {
        afterCr = false;
        if (a[i] == '\n') {
          i++;
          continue;
        }
      }
      int j = i;
      while (j < to && a[j] != '\n' && a[j] != '\r') {
        j++;
      }
      if (j > i) {
        if (len == 0 && !firstEventKnown) {
          if (!chunkNanosRead) {
            chunkNanos = nanoTime.getAsLong();
            chunkNanosRead = true;
          }
          lineNanos = chunkNanos;
        }
        appendLine(a, i, j - i);
      }
      if (j == to) {
        return;
      }
      afterCr = a[j] == '\r';
      endLine();
      i = j + 1;
    }
  }

  private void appendLine(byte[] a, int from, int n) {
    if (lineOverflow) {
      return;
    }
    // Past the limit the line's start is still kept: its field name decides the first event.
    int kept = Math.min(n, MAX_LINE - len);
    lineOverflow = kept < n;
    ensureCapacity(len + kept, MAX_LINE);
    System.arraycopy(a, from, buf, len, kept);
    len += kept;
  }

  private void endLine() {
    if (len > 0 && isDataField(firstLine && startsWithBom() ? 3 : 0)) {
      if (!firstEventKnown) {
        firstEventNanos = lineNanos;
        firstEventKnown = true;
      }
      if (!lineOverflow) {
        usageOfLine().ifPresent(u -> lastUsage = u);
      }
    }
    firstLine = false;
    len = 0;
    lineOverflow = false;
  }

  /** The usage in the current line, if it is a {@code data:} line with a usage object. */
  private Optional<Usage> usageOfLine() {
    int start = firstLine && startsWithBom() ? 3 : 0;
    if (!isDataField(start)) {
      return Optional.empty();
    }
    int value = start + DATA.length + 1;
    if (value < len && buf[value] == ' ') {
      value++;
    }
    if (!UsageJson.mentionsUsageObject(buf, value, len - value)) {
      return Optional.empty();
    }
    return UsageJson.fromDocument(buf, value, len - value);
  }

  /** {@code data:} (the field name, exactly; a line {@code data} alone carries no JSON). */
  private boolean isDataField(int start) {
    if (len < start + DATA.length + 1) {
      return false;
    }
    for (int k = 0; k < DATA.length; k++) {
      if (buf[start + k] != DATA[k]) {
        return false;
      }
    }
    return buf[start + DATA.length] == ':';
  }

  private boolean startsWithBom() {
    return len >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF;
  }

  // ---- JSON

  private void json(byte[] a, int from, int n) {
    parsed = null;
    if (!ring) {
      if (len + n <= JSON_WINDOW) {
        ensureCapacity(len + n, JSON_WINDOW);
        System.arraycopy(a, from, buf, len, n);
        len += n;
        return;
      }
      ensureCapacity(JSON_WINDOW, JSON_WINDOW);
      ring = true;
      head = len;
    }
    // Ring: buf holds the last JSON_WINDOW bytes, oldest at head (once full).
    if (n >= JSON_WINDOW) {
      System.arraycopy(a, from + n - JSON_WINDOW, buf, 0, JSON_WINDOW);
      head = 0;
      return;
    }
    int first = Math.min(n, JSON_WINDOW - head);
    System.arraycopy(a, from, buf, head, first);
    System.arraycopy(a, from + first, buf, 0, n - first);
    head = (head + n) % JSON_WINDOW;
  }

  private byte[] linearWindow() {
    byte[] out = new byte[JSON_WINDOW];
    System.arraycopy(buf, head, out, 0, JSON_WINDOW - head);
    System.arraycopy(buf, 0, out, JSON_WINDOW - head, head);
    return out;
  }

  /** Grows {@link #buf} by doubling, from {@value #INITIAL} bytes up to {@code max}. */
  private void ensureCapacity(int needed, int max) {
    if (needed <= buf.length) {
      return;
    }
    int size = Math.max(buf.length, INITIAL);
    while (size < needed) {
      size = Math.min(size * 2, max);
    }
    buf = Arrays.copyOf(buf, size);
  }
}
