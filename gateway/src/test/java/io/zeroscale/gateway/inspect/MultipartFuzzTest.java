package io.zeroscale.gateway.inspect;

import static io.zeroscale.gateway.inspect.RequestInspectorFuzzTest.TRIES;
import static io.zeroscale.gateway.inspect.RequestInspectorFuzzTest.okOrSmallRejection;
import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.web.Fuzz;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Property-based tests of the multipart scanner behind {@link RequestInspector#inspectMultipart},
 * on {@link Fuzz}'s seeded generators: for any boundary and any body, valid, mutated or truncated,
 * it answers {@link Inspection.Ok} or a small 400, never an exception; and a valid form is read
 * exactly.
 */
class MultipartFuzzTest {

  /** RFC 2046 bchars without the space (which may not end a boundary). */
  private static final String BCHARS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=?";

  static String boundary(Fuzz.Gen g) {
    return g.string(1, 70, BCHARS);
  }

  static String eol(Fuzz.Gen g) {
    return g.pick("\r\n", "\n");
  }

  static String contentType(String boundary) {
    boolean token = boundary.chars().allMatch(Character::isLetterOrDigit);
    return "multipart/form-data; boundary=" + (token ? boundary : "\"" + boundary + "\"");
  }

  /** The form curl -F sends: a file, the model, and maybe a stream flag, in that order. */
  static byte[] form(String boundary, String eol, byte[] file, String model, Boolean stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String dash = "--" + boundary;
    out.writeBytes(
        (dash
                + eol
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\""
                + eol
                + "Content-Type: audio/wav"
                + eol
                + eol)
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(file);
    out.writeBytes(
        (eol + dash + eol + "Content-Disposition: form-data; name=\"model\"" + eol + eol + model)
            .getBytes(StandardCharsets.UTF_8));
    if (stream != null) {
      out.writeBytes(
          (eol
                  + dash
                  + eol
                  + "Content-Disposition: form-data; name=\"stream\""
                  + eol
                  + eol
                  + stream)
              .getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes((eol + dash + "--" + eol).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  record Form(String boundary, String model, Boolean stream, byte[] body) {}

  @Test
  void aValidFormIsReadExactly() {
    Fuzz.forAll(
        TRIES,
        g -> {
          String boundary = boundary(g);
          // A file that contains its own delimiter is not a valid form.
          byte[] delimiter = ("\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
          byte[] file = g.filtered(() -> g.bytes(300), f -> !contains(f, delimiter));
          String model = RequestInspectorFuzzTest.modelName(g);
          Boolean stream = g.nullableBool();
          return new Form(boundary, model, stream, form(boundary, eol(g), file, model, stream));
        },
        f ->
            assertThat(RequestInspector.inspectMultipart(f.body(), contentType(f.boundary())))
                .isEqualTo(new Inspection.Ok(f.model(), Boolean.TRUE.equals(f.stream()))));
  }

  @Test
  void aMutatedOrTruncatedFormIsOkOrASmall400() {
    Fuzz.forAll(
        TRIES,
        g -> {
          String boundary = boundary(g);
          byte[] form = randomForm(g, boundary);
          List<Fuzz.Mutation> mutations =
              g.mutations(
                  "\r\n",
                  "--",
                  "\n--",
                  "\r\n--" + boundary,
                  "--" + boundary + "--",
                  "Content-Disposition: form-data; name=\"model\"",
                  "Content-Disposition: form-data; name=\"stream\"\r\n\r\ntrue");
          return new Form(boundary, null, null, Fuzz.mutate(form, mutations));
        },
        f ->
            okOrSmallRejection(
                RequestInspector.inspectMultipart(f.body(), contentType(f.boundary()))));
  }

  /** A body cut anywhere, a truncated upload, is still an answer. */
  @Test
  void aTruncatedFormIsOkOrASmall400() {
    Fuzz.forAll(
        TRIES,
        g -> {
          String boundary = boundary(g);
          byte[] form = randomForm(g, boundary);
          return new Form(boundary, null, null, Arrays.copyOf(form, g.between(0, form.length)));
        },
        f ->
            okOrSmallRejection(
                RequestInspector.inspectMultipart(f.body(), contentType(f.boundary()))));
  }

  record Upload(byte[] body, String contentType) {}

  @Test
  void anyBodyWithAnyContentTypeIsOkOrASmall400() {
    Fuzz.forAll(
        TRIES,
        g -> new Upload(g.bytes(300), anyContentType(g)),
        u -> {
          okOrSmallRejection(RequestInspector.inspectMultipart(u.body(), u.contentType()));
          okOrSmallRejection(
              RequestInspector.inspect(
                  InferencePath.AUDIO_TRANSCRIPTIONS, u.body(), u.contentType()));
        });
  }

  /** Any content type: random, a multipart one with any boundary (quoted or not), or none. */
  private static String anyContentType(Fuzz.Gen g) {
    return switch (g.between(0, 4)) {
      case 0 -> g.string(200);
      case 1 -> "multipart/form-data; boundary=" + g.string(120);
      case 2 -> "multipart/form-data; boundary=\"" + g.string(120);
      case 3 -> "multipart/form-data";
      default -> null;
    };
  }

  /** A well-formed form around random file bytes, as the mutations' starting point. */
  private static byte[] randomForm(Fuzz.Gen g, String boundary) {
    return form(
        boundary, eol(g), g.bytes(200), RequestInspectorFuzzTest.modelName(g), g.nullableBool());
  }
}
