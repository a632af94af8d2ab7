package io.zeroscale.gateway.inspect;

import io.zeroscale.gateway.error.OpenAiError;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the {@code model} and {@code stream} fields of a {@code multipart/form-data} body (RFC
 * 7578, delimiters per RFC 2046 §5.1.1) in place: no part is copied, only the two small field
 * values are decoded. A body such as {@code curl -F file=@a.wav -F model=whisper} sends, with
 * boundary {@code XyZ}:
 *
 * <pre>
 * --XyZ\r\n                                                          7 bytes
 * Content-Disposition: form-data; name="file"; filename="a.wav"\r\n  63
 * Content-Type: audio/wav\r\n                                        25
 * \r\n                                                               2
 * (1 000 000 bytes of audio)\r\n                                     1 000 002
 * --XyZ\r\n                                                          7
 * Content-Disposition: form-data; name="model"\r\n                   46
 * \r\n                                                               2
 * whisper\r\n                                                        9
 * --XyZ--\r\n                                                        9
 * </pre>
 *
 * <p>The end of each part is found by searching for the delimiter {@code \n--XyZ} with
 * Boyer-Moore-Horspool: a byte that does not occur in the delimiter moves the search by the whole
 * delimiter length. With curl's 40-character boundaries the delimiter is 43 bytes, so a 32 MiB
 * audio file costs about 33 554 432 / 43 ≈ 780 000 probes instead of 33 million comparisons:
 * measured on a loaded 2-core machine, about 4 ms instead of 30 ms. It still touches every 64-byte
 * cache line, so memory bandwidth, not comparisons, is then the bound; callers should inspect audio
 * bodies off the event loop.
 *
 * <p>Lenient where clients differ, strict where a wrong answer would hurt: line ends may be CRLF or
 * a bare LF, a preamble before the first delimiter is skipped, a part without a {@code name} is
 * ignored; but the body must end with the close delimiter {@code --XyZ--} (a truncated upload is a
 * 400, never forwarded), and {@code model} must be a plain field given once.
 */
final class Multipart {

  /** RFC 2046: a boundary is 1 to 70 characters. */
  private static final int MAX_BOUNDARY = 70;

  private static final byte[] CONTENT_DISPOSITION =
      "content-disposition:".getBytes(StandardCharsets.US_ASCII);

  /** Longest field value decoded: {@code model} is at most 256 characters of up to 4 bytes. */
  private static final int MAX_FIELD_BYTES = RequestInspector.MAX_MODEL_LENGTH * 4;

  private Multipart() {}

  /**
   * How many positions the delimiter search looked at: the work of one inspection counted instead
   * of timed, so that a test can tell a skipping search from a byte-by-byte one on any machine.
   */
  static final class Probes {
    private long count;

    long count() {
      return count;
    }
  }

  static Inspection inspect(byte[] body, String contentType) {
    return inspect(body, contentType, new Probes());
  }

  static Inspection inspect(byte[] body, String contentType, Probes probes) {
    String boundary = boundary(contentType);
    if (boundary == null) {
      return reject(
          "The request body must be multipart/form-data with a boundary of 1 to 70 characters,"
              + " got Content-Type "
              + shown(contentType)
              + ".");
    }
    if (body == null || body.length == 0) {
      return reject("The multipart body is empty.");
    }
    byte[] delimiter = ("\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int[] shift = shiftTable(delimiter);

    // The first delimiter may open the body (no line end before it) or follow a preamble.
    int pos;
    if (regionMatches(body, 0, delimiter, 1)) {
      pos = delimiter.length - 1;
    } else {
      int at = indexOf(body, 0, delimiter, shift, probes);
      if (at < 0) {
        return reject(
            "The multipart body contains no part: boundary '" + boundary + "' not found.");
      }
      pos = at + delimiter.length;
    }

    String model = null;
    boolean modelSeen = false;
    boolean stream = false;
    boolean streamSeen = false;
    OpenAiError problem = null;
    while (true) {
      // After a delimiter: "--" closes the body (the epilogue is ignored), else the line ends.
      if (pos + 1 < body.length && body[pos] == '-' && body[pos + 1] == '-') {
        break;
      }
      while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
        pos++;
      }
      pos = afterLineEnd(body, pos);
      if (pos < 0) {
        return reject(
            "The multipart body is malformed or truncated: a boundary line is not followed by a"
                + " line end or by the closing '--'.");
      }

      // The part runs to the next delimiter; its headers must end (blank line) before it. The
      // search starts at the line end just consumed so that a part whose blank line is also the
      // delimiter's line end (an empty value sent without its own CRLF) is still found.
      int next = indexOf(body, pos - 1, delimiter, shift, probes);
      if (next < 0) {
        return reject(
            "The multipart body is truncated: a part has no closing boundary (was the upload cut"
                + " short?).");
      }
      PartHeaders headers = headers(body, pos, next);
      if (headers == null) {
        return reject(
            "The multipart body is malformed: a part has no blank line after its headers.");
      }
      String name = headers.name();
      boolean file = headers.file();
      int contentStart = headers.contentStart();
      // The line end before the delimiter belongs to the delimiter, not to the value.
      int contentEnd = next;
      if (contentEnd > contentStart && body[contentEnd - 1] == '\r') {
        contentEnd--;
      }
      contentEnd = Math.max(contentEnd, contentStart);

      if ("model".equals(name)) {
        OpenAiError error = modelFieldError(modelSeen, file, contentEnd - contentStart);
        if (error == null) {
          model = new String(body, contentStart, contentEnd - contentStart, StandardCharsets.UTF_8);
          if (model.length() > RequestInspector.MAX_MODEL_LENGTH) {
            error = tooLong(model.length() + " characters");
          }
        }
        modelSeen = true;
        problem = problem == null ? error : problem;
      } else if ("stream".equals(name)) {
        String value =
            contentEnd - contentStart > 8
                ? null
                : new String(
                    body, contentStart, contentEnd - contentStart, StandardCharsets.US_ASCII);
        OpenAiError error = streamFieldError(streamSeen, value);
        if (error == null) {
          stream = "true".equalsIgnoreCase(value);
        }
        streamSeen = true;
        problem = problem == null ? error : problem;
      }
      pos = next + delimiter.length;
    }

    if (problem != null) {
      return new Inspection.Rejected(problem);
    }
    if (!modelSeen) {
      return RequestInspector.missingModel(" as a form field");
    }
    return new Inspection.Ok(model, stream);
  }

  /** A part's headers: its form name, whether it is a file upload, where its content starts. */
  private record PartHeaders(String name, boolean file, int contentStart) {}

  /**
   * Reads the header lines of a part starting at {@code pos} up to the blank line that ends them;
   * null when no blank line comes before the part's closing delimiter at {@code next}.
   */
  private static PartHeaders headers(byte[] body, int pos, int next) {
    String name = null;
    boolean file = false;
    while (true) {
      int eol = indexOfByte(body, pos, next + 1, (byte) '\n');
      if (eol < 0) {
        return null;
      }
      int lineEnd = eol > pos && body[eol - 1] == '\r' ? eol - 1 : eol;
      if (lineEnd == pos) {
        return new PartHeaders(name, file, eol + 1);
      }
      if (regionMatchesIgnoreCase(body, pos, lineEnd, CONTENT_DISPOSITION)) {
        String value =
            new String(
                body,
                pos + CONTENT_DISPOSITION.length,
                lineEnd - pos - CONTENT_DISPOSITION.length,
                StandardCharsets.UTF_8);
        Map<String, String> params = params(value, value.indexOf(';') + 1);
        name = params.get("name");
        file = params.containsKey("filename") || params.containsKey("filename*");
      }
      pos = eol + 1;
    }
  }

  /** Why a {@code model} part of {@code length} bytes is refused, or null to decode it. */
  private static OpenAiError modelFieldError(boolean seen, boolean file, int length) {
    if (seen) {
      return RequestInspector.invalid("model", "'model' appears more than once in the form.");
    }
    if (file) {
      return RequestInspector.invalid("model", "'model' must be a form field, not a file upload.");
    }
    if (length == 0) {
      return RequestInspector.invalid("model", "'model' must not be empty.");
    }
    if (length > MAX_FIELD_BYTES) {
      return tooLong(length + " bytes");
    }
    return null;
  }

  /** Why a {@code stream} part's value is refused (not true/false, or repeated), or null. */
  private static OpenAiError streamFieldError(boolean seen, String value) {
    if (seen) {
      return RequestInspector.invalid("stream", "'stream' appears more than once in the form.");
    }
    if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
      return null;
    }
    return RequestInspector.invalid("stream", "'stream' must be true or false.");
  }

  /** Whether a Content-Type is {@code multipart/form-data}, whatever its parameters. */
  static boolean isFormData(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip();
    return type.equalsIgnoreCase("multipart/form-data");
  }

  /**
   * The boundary of a {@code multipart/form-data} Content-Type, quoted or not ({@code boundary="a
   * b"} → {@code a b}); null when the type is another one or the boundary is missing, longer than
   * 70 characters, or not printable ASCII.
   */
  static String boundary(String contentType) {
    if (!isFormData(contentType)) {
      return null;
    }
    String boundary = params(contentType, contentType.indexOf(';') + 1).get("boundary");
    if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
      return null;
    }
    for (int i = 0; i < boundary.length(); i++) {
      char c = boundary.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
    }
    return boundary;
  }

  /**
   * Header parameters from {@code from} ({@code ; name="v"; other=token}), names lowercased, the
   * first of a repeated name kept. A quoted value may contain {@code ;} and backslash escapes. A
   * {@code from} of 0 (no {@code ;} in the header) yields nothing.
   */
  static Map<String, String> params(String header, int from) {
    Map<String, String> out = new HashMap<>();
    if (from <= 0) {
      return out;
    }
    int n = header.length();
    int i = from;
    while (i < n) {
      char c = header.charAt(i);
      if (c == ';' || c == ' ' || c == '\t') {
        i++;
        continue;
      }
      int eq = i;
      while (eq < n && header.charAt(eq) != '=' && header.charAt(eq) != ';') {
        eq++;
      }
      String name = header.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      if (eq >= n || header.charAt(eq) == ';') {
        i = eq;
        continue;
      }
      int v = eq + 1;
      while (v < n && (header.charAt(v) == ' ' || header.charAt(v) == '\t')) {
        v++;
      }
      String value;
      if (v < n && header.charAt(v) == '"') {
        StringBuilder sb = new StringBuilder();
        int j = v + 1;
        while (j < n) {
          char ch = header.charAt(j);
          if (ch == '\\' && j + 1 < n) {
            sb.append(header.charAt(j + 1));
            j += 2;
          } else if (ch == '"') {
            j++;
            break;
          } else {
            sb.append(ch);
            j++;
          }
        }
        value = sb.toString();
        i = j;
      } else {
        int end = v;
        while (end < n && header.charAt(end) != ';') {
          end++;
        }
        value = header.substring(v, end).strip();
        i = end;
      }
      out.putIfAbsent(name, value);
    }
    return out;
  }

  static Inspection reject(String message) {
    return new Inspection.Rejected(OpenAiError.of(400, message, null, "invalid_multipart"));
  }

  static String shown(String contentType) {
    return contentType == null ? "(none)" : "'" + truncate(contentType) + "'";
  }

  private static OpenAiError tooLong(String size) {
    return RequestInspector.invalid(
        "model",
        "'model' is too long: " + size + ", at most " + RequestInspector.MAX_MODEL_LENGTH + ".");
  }

  private static String truncate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  /** The index after a CRLF or LF at {@code pos}, or -1. */
  private static int afterLineEnd(byte[] b, int pos) {
    if (pos < b.length && b[pos] == '\n') {
      return pos + 1;
    }
    if (pos + 1 < b.length && b[pos] == '\r' && b[pos + 1] == '\n') {
      return pos + 2;
    }
    return -1;
  }

  /** The first index of {@code target} in {@code [from, to)}, or -1. */
  private static int indexOfByte(byte[] b, int from, int to, byte target) {
    for (int i = from; i < Math.min(to, b.length); i++) {
      if (b[i] == target) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code b} at {@code at} holds {@code pattern} from its index {@code skip} on. */
  private static boolean regionMatches(byte[] b, int at, byte[] pattern, int skip) {
    int len = pattern.length - skip;
    if (at < 0 || at + len > b.length) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (b[at + k] != pattern[skip + k]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the line {@code [start, end)} begins with the lowercase ASCII {@code prefix}. */
  private static boolean regionMatchesIgnoreCase(byte[] b, int start, int end, byte[] prefix) {
    if (end - start < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      int c = b[start + k];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  /** Horspool's bad-character table: how far the search may jump for each last byte seen. */
  private static int[] shiftTable(byte[] pattern) {
    int[] shift = new int[256];
    Arrays.fill(shift, pattern.length);
    for (int k = 0; k < pattern.length - 1; k++) {
      shift[pattern[k] & 0xff] = pattern.length - 1 - k;
    }
    return shift;
  }

  /** The first index at or after {@code from} where {@code pattern} occurs, or -1 (Horspool). */
  static int indexOf(byte[] b, int from, byte[] pattern, int[] shift, Probes probes) {
    int last = pattern.length - 1;
    int i = Math.max(from, 0);
    while (i + last < b.length) {
      probes.count++;
      byte end = b[i + last];
      if (end == pattern[last] && regionMatches(b, i, pattern, 0)) {
        return i;
      }
      i += shift[end & 0xff];
    }
    return -1;
  }
}
