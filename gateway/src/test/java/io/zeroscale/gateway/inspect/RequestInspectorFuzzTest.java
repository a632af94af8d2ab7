package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.web.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property-based tests of the data plane's JSON inspector: for any body, random or a mutated chat
 * request, {@link RequestInspector#inspectJson} answers {@link Inspection.Ok} or {@link
 * Inspection.Rejected} (a 400 with a message of bounded size), never an exception; and a valid body
 * is read exactly.
 */
class RequestInspectorFuzzTest {

  /** Parser messages are cut at 200 characters; the rest of a message is fixed text. */
  static final int MAX_MESSAGE = 400;

  static void okOrSmallRejection(Inspection i) {
    assertThat(i).isNotNull();
    if (i instanceof Inspection.Rejected r) {
      OpenAiError e = r.error();
      assertThat(e.status()).as(e.message()).isEqualTo(400);
      assertThat(e.type()).isEqualTo("invalid_request_error");
      assertThat(e.message()).hasSizeLessThan(MAX_MESSAGE);
    }
  }

  /** A model name as clients send them: printable, sometimes non-ASCII, 1 to 256 characters. */
  @Provide
  Arbitrary<String> models() {
    return modelNames();
  }

  static Arbitrary<String> modelNames() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .withChars("éü日本語ß")
        .ofMinLength(1)
        .ofMaxLength(RequestInspector.MAX_MODEL_LENGTH);
  }

  /** Other fields' values: any JSON, valid or not. */
  @Provide
  Arbitrary<List<String>> others() {
    return Fuzz.values().list().ofMaxSize(4);
  }

  /** Other fields' values that are valid JSON. */
  @Provide
  Arbitrary<List<String>> validOthers() {
    return Fuzz.values().filter(Fuzz::isJson).list().ofMaxSize(4);
  }

  /** A chat body with the model, an optional stream flag and other fields, in a random order. */
  static String chatBody(String model, Boolean stream, List<String> others, long seed) {
    List<String> fields = new ArrayList<>();
    fields.add("\"model\":" + Fuzz.quote(model));
    if (stream != null) {
      fields.add("\"stream\":" + stream);
    }
    int n = 0;
    for (String value : others) {
      fields.add("\"f" + n++ + "\":" + value);
    }
    fields.add("\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"not this one\"}]");
    Collections.shuffle(fields, new Random(seed));
    return "{" + String.join(",", fields) + "}";
  }

  @Property(tries = 300)
  void aValidBodyIsReadExactly(
      @ForAll("models") String model,
      @ForAll Boolean stream,
      @ForAll("validOthers") List<String> others,
      @ForAll long seed) {
    String body = chatBody(model, stream, others, seed);
    assertThat(RequestInspector.inspectJson(body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Inspection.Ok(model, Boolean.TRUE.equals(stream)));
  }

  @Property(tries = 300)
  void aMutatedBodyIsOkOrASmall400(
      @ForAll("models") String model,
      @ForAll Boolean stream,
      @ForAll("others") List<String> others,
      @ForAll long seed,
      @ForAll("mutations") List<Fuzz.Mutation> mutations) {
    byte[] body =
        Fuzz.mutate(
            chatBody(model, stream, others, seed).getBytes(StandardCharsets.UTF_8), mutations);
    okOrSmallRejection(RequestInspector.inspectJson(body));
  }

  @Provide
  Arbitrary<List<Fuzz.Mutation>> mutations() {
    return Fuzz.mutations().list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 300)
  void anyBytesAreOkOrASmall400(@ForAll @Size(max = 400) byte[] body) {
    okOrSmallRejection(RequestInspector.inspectJson(body));
  }

  @Property(tries = 200)
  void anyTextIsOkOrASmall400(@ForAll @Size(max = 400) String body) {
    okOrSmallRejection(RequestInspector.inspectJson(body.getBytes(StandardCharsets.UTF_8)));
  }
}
