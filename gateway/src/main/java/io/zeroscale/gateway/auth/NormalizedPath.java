package io.zeroscale.gateway.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path in the form that decides who may reach it: the segments routing matches on, each
 * with its {@code ;parameters} removed and then percent-decoded, empty segments dropped ({@code //}
 * and a trailing {@code /} collapse), case kept.
 *
 * <p>Why: Spring matches {@code /admin;x/v1/tenants} and {@code /%61dmin/v1/tenants} to the {@code
 * /admin/v1/tenants} handler, because it strips parameters and decodes each segment before
 * matching. Deciding on the raw text instead lets such a path slip past a prefix check. Matching
 * here on the same decoded segments means a path is public only if routing sees a public path.
 *
 * <p>Refused ({@link Malformed}, a 400): an escape that is not {@code %} and two hex digits, bytes
 * that are not UTF-8, a control character, and {@code .} or {@code ..} segments (also escaped as
 * {@code %2e}). No route of ours has such a segment, and refusing them is simpler than proving that
 * every layer resolves them the same way.
 *
 * @param segments the decoded segments, none empty; {@code /} has none
 */
public record NormalizedPath(List<String> segments) {

  /** The outcome of {@link #parse}: a normalized path, or why the path is refused. */
  public sealed interface Parsed permits Valid, Malformed {}

  public record Valid(NormalizedPath path) implements Parsed {}

  /**
   * @param reason what is wrong, for the client, e.g. {@code bad percent-encoding}
   */
  public record Malformed(String reason) implements Parsed {}

  public NormalizedPath {
    segments = List.copyOf(segments);
  }

  /** Normalizes the raw (still percent-encoded) path of a request. */
  public static Parsed parse(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return new Valid(new NormalizedPath(List.of()));
    }
    if (rawPath.charAt(0) != '/') {
      return new Malformed("the path must start with '/'");
    }
    List<String> out = new ArrayList<>();
    int start = 1;
    while (start <= rawPath.length()) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = rawPath.length();
      }
      int params = rawPath.indexOf(';', start);
      String raw = rawPath.substring(start, params >= 0 && params < end ? params : end);
      if (!raw.isEmpty()) {
        String segment = decode(raw);
        if (segment == null) {
          return new Malformed("bad percent-encoding or bytes that are not UTF-8");
        }
        if (segment.equals(".") || segment.equals("..")) {
          return new Malformed("'.' and '..' segments are not allowed");
        }
        if (hasControl(segment)) {
          return new Malformed("control characters are not allowed");
        }
        out.add(segment);
      }
      start = end + 1;
    }
    return new Valid(new NormalizedPath(out));
  }

  /** Whether the path is {@code prefix} or lies below it, segment by segment. */
  public boolean startsWith(List<String> prefix) {
    return segments.size() >= prefix.size() && segments.subList(0, prefix.size()).equals(prefix);
  }

  /** The path as text, e.g. {@code /admin/v1/tenants}; for logs and tests. */
  public String value() {
    return "/" + String.join("/", segments);
  }

  /** Percent-decodes one segment as UTF-8 ({@code +} stays {@code +}); null when malformed. */
  private static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else {
        int next = raw.indexOf('%', i);
        int stop = next < 0 ? raw.length() : next;
        bytes.put(raw.substring(i, stop).getBytes(StandardCharsets.UTF_8));
        i = stop - 1;
      }
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
