package io.zeroscale.gateway.inspect;

import static io.zeroscale.gateway.inspect.RequestInspectorFuzzTest.okOrSmallRejection;
import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.web.Fuzz;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property-based tests of the multipart scanner behind {@link RequestInspector#inspectMultipart}:
 * for any boundary and any body, valid, mutated or truncated, it answers {@link Inspection.Ok} or a
 * small 400, never an exception; and a valid form is read exactly.
 */
class MultipartFuzzTest {

  /** RFC 2046 bchars without the space (which may not end a boundary). */
  private static final String BCHARS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=?";

  @Provide
  Arbitrary<String> boundaries() {
    return Arbitraries.strings().withChars(BCHARS).ofMinLength(1).ofMaxLength(70);
  }

  @Provide
  Arbitrary<String> models() {
    return RequestInspectorFuzzTest.modelNames();
  }

  @Provide
  Arbitrary<String> eols() {
    return Arbitraries.of("\r\n", "\n");
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

  @Property(tries = 300)
  void aValidFormIsReadExactly(
      @ForAll("boundaries") String boundary,
      @ForAll("eols") String eol,
      @ForAll @Size(max = 300) byte[] file,
      @ForAll("models") String model,
      @ForAll Boolean stream) {
    // A file that contains its own delimiter is not a valid form.
    Assume.that(!contains(file, ("\n--" + boundary).getBytes(StandardCharsets.US_ASCII)));
    Inspection i =
        RequestInspector.inspectMultipart(
            form(boundary, eol, file, model, stream), contentType(boundary));
    assertThat(i).isEqualTo(new Inspection.Ok(model, Boolean.TRUE.equals(stream)));
  }

  @Property(tries = 300)
  void aMutatedOrTruncatedFormIsOkOrASmall400(
      @ForAll("boundaries") String boundary,
      @ForAll("eols") String eol,
      @ForAll @Size(max = 200) byte[] file,
      @ForAll("models") String model,
      @ForAll Boolean stream,
      @ForAll("mutations") List<Fuzz.Mutation> mutations) {
    byte[] body = Fuzz.mutate(form(boundary, eol, file, model, stream), mutations);
    okOrSmallRejection(RequestInspector.inspectMultipart(body, contentType(boundary)));
  }

  @Provide
  Arbitrary<List<Fuzz.Mutation>> mutations() {
    return Fuzz.mutations("\r\n", "--", "\n--", "Content-Disposition: form-data; name=\"model\"")
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Property(tries = 300)
  void anyBodyWithAnyContentTypeIsOkOrASmall400(
      @ForAll @Size(max = 300) byte[] body, @ForAll("contentTypes") String contentType) {
    okOrSmallRejection(RequestInspector.inspectMultipart(body, contentType));
    okOrSmallRejection(
        RequestInspector.inspect(InferencePath.AUDIO_TRANSCRIPTIONS, body, contentType));
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().ofMaxLength(120).map(s -> "multipart/form-data; boundary=" + s),
        Arbitraries.strings().ofMaxLength(120).map(s -> "multipart/form-data; boundary=\"" + s),
        Arbitraries.just("multipart/form-data"),
        Arbitraries.just(null));
  }
}
