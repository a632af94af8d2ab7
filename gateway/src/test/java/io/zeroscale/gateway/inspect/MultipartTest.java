package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MultipartTest {

  private static final String CT = "multipart/form-data; boundary=XyZ";

  /** Audio bytes with everything a naive parser trips on: CR, LF, dashes, the boundary text. */
  private static final String AUDIO =
      "RIFF\0\r\n\r\n-XyZ--XyZ not at line start \n-- XyZ\r\n-XyZ\n\0\u00ff";

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String filePart(String eol) {
    return "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\""
        + eol
        + "Content-Type: audio/wav"
        + eol
        + eol
        + AUDIO;
  }

  static String field(String name, String value, String eol) {
    return "Content-Disposition: form-data; name=\"" + name + "\"" + eol + eol + value;
  }

  /** A body from parts, with the given line end, closed with {@code --XyZ--}. */
  static String form(String eol, String... parts) {
    StringBuilder sb = new StringBuilder();
    for (String part : parts) {
      sb.append("--XyZ").append(eol).append(part).append(eol);
    }
    return sb.append("--XyZ--").append(eol).toString();
  }

  static Inspection inspect(String body, String contentType) {
    return RequestInspector.inspectMultipart(bytes(body), contentType);
  }

  static OpenAiError rejected(Inspection i) {
    assertThat(i).isInstanceOf(Inspection.Rejected.class);
    return ((Inspection.Rejected) i).error();
  }

  static Stream<Arguments> accepted() {
    String crlf = "\r\n";
    return Stream.of(
        Arguments.of(
            "model after the file",
            form(crlf, filePart(crlf), field("model", "whisper", crlf)),
            CT,
            "whisper",
            false),
        Arguments.of(
            "model before the file, stream true",
            form(
                crlf,
                field("model", "acme/whisper", crlf),
                filePart(crlf),
                field("stream", "true", crlf)),
            CT,
            "acme/whisper",
            true),
        Arguments.of(
            "bare LF line ends",
            form(
                "\n",
                filePart("\n"),
                field("model", "whisper", "\n"),
                field("stream", "TRUE", "\n")),
            CT,
            "whisper",
            true),
        Arguments.of(
            "quoted boundary with a space and a colon",
            form(crlf, field("model", "w", crlf)).replace("XyZ", "a b:c"),
            "multipart/form-data; boundary=\"a b:c\"",
            "w",
            false),
        Arguments.of(
            "case-insensitive type and parameter, charset first",
            form(crlf, field("model", "w", crlf)),
            "Multipart/Form-Data; charset=utf-8; BOUNDARY=XyZ",
            "w",
            false),
        Arguments.of(
            "preamble, padding after the boundary and an epilogue",
            "This is a preamble.\r\n"
                + form(crlf, field("model", "w", crlf)).replace("--XyZ\r\n", "--XyZ  \t\r\n")
                + "epilogue --XyZ\r\n",
            CT,
            "w",
            false),
        Arguments.of(
            "lowercase header, unquoted name, extra parameters and headers",
            form(
                crlf,
                "content-disposition:form-data;name=model ; x=\"a;b\""
                    + crlf
                    + "Content-Type: text/plain; charset=utf-8"
                    + crlf
                    + crlf
                    + "w"),
            CT,
            "w",
            false),
        Arguments.of(
            "unicode model",
            new String(
                form(crlf, field("model", "mü-模型", crlf)).getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1),
            CT,
            "mü-模型",
            false),
        Arguments.of(
            "other fields, stream false, an empty field",
            form(
                crlf,
                field("language", "en", crlf),
                field("prompt", "", crlf),
                field("stream", "false", crlf),
                filePart(crlf),
                field("model", "w", crlf)),
            CT,
            "w",
            false),
        Arguments.of(
            "a part without a name is ignored",
            form(crlf, "Content-Type: text/plain" + crlf + crlf + "x", field("model", "w", crlf)),
            CT,
            "w",
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void accepted(String name, String body, String contentType, String model, boolean stream) {
    assertThat(inspect(body, contentType)).isEqualTo(new Inspection.Ok(model, stream));
  }

  static Stream<Arguments> rejectedForms() {
    String crlf = "\r\n";
    String ok = form(crlf, filePart(crlf), field("model", "w", crlf));
    return Stream.of(
        // name, body, content type, code, param
        Arguments.of("no content type", ok, null, "invalid_multipart", null),
        Arguments.of("not multipart", ok, "application/json", "invalid_multipart", null),
        Arguments.of("no boundary", ok, "multipart/form-data", "invalid_multipart", null),
        Arguments.of(
            "empty boundary", ok, "multipart/form-data; boundary=\"\"", "invalid_multipart", null),
        Arguments.of(
            "boundary over 70",
            ok,
            "multipart/form-data; boundary=" + "b".repeat(71),
            "invalid_multipart",
            null),
        Arguments.of(
            "wrong boundary", ok, "multipart/form-data; boundary=Other", "invalid_multipart", null),
        Arguments.of("empty body", "", CT, "invalid_multipart", null),
        Arguments.of(
            "truncated in the file",
            ok.substring(0, ok.indexOf("not at line")),
            CT,
            "invalid_multipart",
            null),
        Arguments.of(
            "truncated after the model value",
            ok.substring(0, ok.lastIndexOf("--XyZ--")),
            CT,
            "invalid_multipart",
            null),
        Arguments.of(
            "truncated right after a delimiter",
            ok.substring(0, ok.lastIndexOf("--XyZ--") + 5),
            CT,
            "invalid_multipart",
            null),
        Arguments.of(
            "truncated inside headers",
            "--XyZ\r\nContent-Disposition: form-data; name=\"model\"",
            CT,
            "invalid_multipart",
            null),
        Arguments.of(
            "part without a blank line",
            "--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n--XyZ--\r\n",
            CT,
            "invalid_multipart",
            null),
        Arguments.of(
            "garbage after a delimiter",
            "--XyZgarbage\r\n" + field("model", "w", crlf) + "\r\n--XyZ--",
            CT,
            "invalid_multipart",
            null),
        Arguments.of("no model", form(crlf, filePart(crlf)), CT, "missing_model", "model"),
        Arguments.of("no parts", "--XyZ--\r\n", CT, "missing_model", "model"),
        Arguments.of(
            "model as a file",
            form(
                crlf,
                "Content-Disposition: form-data; name=\"model\"; filename=\"m.txt\""
                    + crlf
                    + crlf
                    + "w"),
            CT,
            "invalid_value",
            "model"),
        Arguments.of(
            "empty model", form(crlf, field("model", "", crlf)), CT, "invalid_value", "model"),
        Arguments.of(
            "model too long",
            form(crlf, field("model", "m".repeat(257), crlf)),
            CT,
            "invalid_value",
            "model"),
        Arguments.of(
            "model twice",
            form(crlf, field("model", "a", crlf), field("model", "b", crlf)),
            CT,
            "invalid_value",
            "model"),
        Arguments.of(
            "stream not a boolean",
            form(crlf, field("model", "w", crlf), field("stream", "yes", crlf)),
            CT,
            "invalid_value",
            "stream"),
        Arguments.of(
            "stream twice",
            form(
                crlf,
                field("stream", "true", crlf),
                field("model", "w", crlf),
                field("stream", "true", crlf)),
            CT,
            "invalid_value",
            "stream"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void rejectedForms(String name, String body, String contentType, String code, String param) {
    OpenAiError e = rejected(inspect(body, contentType));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.param()).isEqualTo(param);
  }

  @Test
  void messagesSayWhatIsWrong() {
    assertThat(rejected(inspect("x", "multipart/form-data")).message())
        .isEqualTo(
            "The request body must be multipart/form-data with a boundary of 1 to 70 characters,"
                + " got Content-Type 'multipart/form-data'.");
    String cut = form("\r\n", filePart("\r\n"));
    assertThat(rejected(inspect(cut.substring(0, 80), CT)).message()).contains("truncated");
    assertThat(rejected(inspect(form("\r\n", filePart("\r\n")), CT)).message())
        .isEqualTo(
            "'model' is required as a form field: the name of one of your deployments (see GET"
                + " /v1/models).");
  }

  @Test
  void anEmptyValueRightBeforeItsDelimiterIsEmpty() {
    // The blank line after the headers doubles as the delimiter's line end: lenient, and empty.
    String body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n--XyZ\r\n"
            + field("model", "w", "\r\n")
            + "\r\n--XyZ--";
    assertThat(inspect(body, CT)).isEqualTo(new Inspection.Ok("w", false));
  }

  @Test
  void boundaryParsing() {
    assertThat(Multipart.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
    assertThat(Multipart.boundary("multipart/form-data;boundary=\"a\\\"b\"")).isEqualTo("a\"b");
    assertThat(Multipart.boundary("multipart/form-data; boundary=" + "b".repeat(70))).hasSize(70);
    assertThat(Multipart.boundary("multipart/form-data; boundary=caf\u00e9")).isNull();
    assertThat(Multipart.boundary("multipart/mixed; boundary=abc")).isNull();
    assertThat(Multipart.boundary("multipart/form-data; name=x")).isNull();
  }

  /**
   * Random binary files (with many CR, LF and dash bytes) around a model field, for random
   * boundaries and positions: the Horspool search must find exactly the real delimiters.
   */
  @Test
  void randomFormsAreReadLikeTheyWereWritten() {
    Random random = new Random(42);
    byte[] alphabet = {'\r', '\n', '-', '-', 'a', 'Z', 0, (byte) 0xff, ' ', '"'};
    for (int round = 0; round < 300; round++) {
      String boundary = "b" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      byte[] file = new byte[random.nextInt(5000)];
      for (int i = 0; i < file.length; i++) {
        file[i] =
            random.nextBoolean()
                ? alphabet[random.nextInt(alphabet.length)]
                : (byte) random.nextInt(256);
      }
      String eol = random.nextBoolean() ? "\r\n" : "\n";
      String model = "m" + random.nextInt(1000);
      boolean modelFirst = random.nextBoolean();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (modelFirst) {
        out.writeBytes(bytes("--" + boundary + eol + field("model", model, eol) + eol));
      }
      out.writeBytes(
          bytes(
              "--"
                  + boundary
                  + eol
                  + "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\""
                  + eol
                  + eol));
      out.writeBytes(file);
      out.writeBytes(bytes(eol));
      if (!modelFirst) {
        out.writeBytes(bytes("--" + boundary + eol + field("model", model, eol) + eol));
      }
      out.writeBytes(bytes("--" + boundary + "--" + eol));
      byte[] body = out.toByteArray();
      String ct = "multipart/form-data; boundary=" + boundary;
      assertThat(RequestInspector.inspectMultipart(body, ct))
          .as("round %d", round)
          .isEqualTo(new Inspection.Ok(model, false));
      // Any cut before the close delimiter is refused.
      int cut = random.nextInt(body.length - boundary.length() - 4);
      assertThat(RequestInspector.inspectMultipart(Arrays.copyOf(body, cut), ct))
          .as("round %d cut at %d", round, cut)
          .isInstanceOf(Inspection.Rejected.class);
    }
  }

  @Test
  void aLargeUploadIsSearchedWithSkipsNotByteByByte() {
    byte[] audio = new byte[16 * 1024 * 1024];
    new Random(7).nextBytes(audio);
    String boundary = "------------------------d74496d66958873e";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        bytes(
            "--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n"));
    out.writeBytes(audio);
    out.writeBytes(bytes("\r\n--" + boundary + "\r\n" + field("model", "w", "\r\n")));
    out.writeBytes(bytes("\r\n--" + boundary + "--\r\n"));
    byte[] body = out.toByteArray();
    String ct = "multipart/form-data; boundary=" + boundary;
    Multipart.Probes probes = new Multipart.Probes();
    assertThat(Multipart.inspect(body, ct, probes)).isEqualTo(new Inspection.Ok("w", false));
    // The work is counted, not timed (machines vary). Horspool with a 43-byte delimiter over
    // random bytes jumps ~43 bytes at most probes and less where the last byte seen occurs in
    // the delimiter: about 16 777 216 / 43 ≈ 390 000 probes at best, well under a million here.
    // A byte-by-byte search would look at all 16.8 million positions, a quadratic one far more.
    assertThat(probes.count())
        .as("positions probed in a %d-byte body", body.length)
        .isGreaterThan(body.length / 43)
        .isLessThan(body.length / 16);
  }
}
