package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.web.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property-based tests of the data plane's JSON inspector, on {@link Fuzz}'s seeded generators: for
 * any body, random or a mutated chat request, {@link RequestInspector#inspectJson} answers {@link
 * Inspection.Ok} or {@link Inspection.Rejected} (a 400 with a message of bounded size), never an
 * exception; and a valid body is read exactly.
 */
class RequestInspectorFuzzTest {

  /** Tries per property; an inspection is a single streaming pass, so these are cheap. */
  static final int TRIES = 1_000;

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
  static String modelName(Fuzz.Gen g) {
    return g.string(
        1,
        RequestInspector.MAX_MODEL_LENGTH,
        g.oneIn(3) ? PRINTABLE_AND_UNICODE : PRINTABLE_AND_UNICODE.substring(0, 95));
  }

  private static final String PRINTABLE_AND_UNICODE = printable() + "éü日本語ß";

  private static String printable() {
    StringBuilder sb = new StringBuilder();
    for (char c = ' '; c <= '~'; c++) {
      sb.append(c);
    }
    return sb.toString();
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

  record Chat(String model, Boolean stream, String body) {}

  @Test
  void aValidBodyIsReadExactly() {
    Fuzz.forAll(
        TRIES,
        g -> {
          String model = modelName(g);
          Boolean stream = g.nullableBool();
          // Valid as a field's value, too: a value nested to the parser's limit is not.
          List<String> others =
              g.list(0, 4, () -> g.filtered(g::value, v -> Fuzz.isJson("[" + v + "]")));
          return new Chat(model, stream, chatBody(model, stream, others, g.nextLong()));
        },
        c ->
            assertThat(RequestInspector.inspectJson(c.body().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new Inspection.Ok(c.model(), Boolean.TRUE.equals(c.stream()))));
  }

  @Test
  void aMutatedBodyIsOkOrASmall400() {
    Fuzz.forAll(
        TRIES,
        g -> {
          String body =
              chatBody(modelName(g), g.nullableBool(), g.list(0, 4, g::value), g.nextLong());
          return Fuzz.mutate(body.getBytes(StandardCharsets.UTF_8), g.mutations());
        },
        body -> okOrSmallRejection(RequestInspector.inspectJson(body)));
  }

  @Test
  void anyBytesAreOkOrASmall400() {
    Fuzz.forAll(
        TRIES, g -> g.bytes(400), body -> okOrSmallRejection(RequestInspector.inspectJson(body)));
  }

  @Test
  void anyTextIsOkOrASmall400() {
    Fuzz.forAll(
        TRIES,
        g -> g.string(400),
        body ->
            okOrSmallRejection(
                RequestInspector.inspectJson(body.getBytes(StandardCharsets.UTF_8))));
  }
}
