package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiError;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestInspectorTest {

  static Inspection json(String body) {
    return RequestInspector.inspectJson(body.getBytes(StandardCharsets.UTF_8));
  }

  static OpenAiError rejected(Inspection i) {
    assertThat(i).isInstanceOf(Inspection.Rejected.class);
    return ((Inspection.Rejected) i).error();
  }

  static Stream<Arguments> accepted() {
    String chat =
        "\"messages\":[{\"role\":\"system\",\"content\":\"You are {\\\"model\\\": \\\"x\\\"}\"},"
            + "{\"role\":\"user\",\"content\":\"hi\",\"model\":\"evil\"}]";
    return Stream.of(
        Arguments.of("{\"model\":\"m\"}", "m", false),
        Arguments.of("{\"model\":\"m\"," + chat + ",\"stream\":true}", "m", true),
        Arguments.of(
            "{" + chat + ",\"stream\":false,\"model\":\"acme/llama-3\"}", "acme/llama-3", false),
        Arguments.of("{\"stream\":true,\"model\":\"m\"}", "m", true),
        Arguments.of("{\"model\":\"m\",\"stream\":null}", "m", false),
        Arguments.of(
            "{\"tools\":[{\"function\":{\"parameters\":{\"model\":{\"type\":\"string\"}}}}],"
                + "\"model\":\"m\"}",
            "m",
            false),
        Arguments.of("{\"metadata\":{\"stream\":\"yes\"},\"model\":\"m\"}", "m", false),
        Arguments.of("{\"model\":\"a\\\"b\\\\c\\/d\"}", "a\"b\\c/d", false),
        Arguments.of("{\"model\":\"\\u006d\\u00fc\"}", "mü", false),
        Arguments.of("{\"m\\u006fdel\":\"m\"}", "m", false),
        Arguments.of("{\"model\":\"llama-ü-模型-😀\"}", "llama-ü-模型-😀", false),
        Arguments.of("  \n\t{ \"model\" : \"m\" , \"stream\" : true }\r\n  ", "m", true),
        Arguments.of("{\"model\":\"" + "x".repeat(256) + "\"}", "x".repeat(256), false),
        Arguments.of("{\"input\":[1.5e-3,-2,true,null,{}],\"model\":\"e5\"}", "e5", false));
  }

  @ParameterizedTest
  @MethodSource
  void accepted(String body, String model, boolean stream) {
    assertThat(json(body)).isEqualTo(new Inspection.Ok(model, stream));
  }

  static Stream<Arguments> rejectedBodies() {
    return Stream.of(
        // body, code, param, words in the message
        Arguments.of("", "invalid_json", null, "empty"),
        Arguments.of("   \n ", "invalid_json", null, "empty"),
        Arguments.of("[{\"model\":\"m\"}]", "invalid_json", null, "got an array"),
        Arguments.of("\"model\"", "invalid_json", null, "got a string"),
        Arguments.of("42", "invalid_json", null, "got a number"),
        Arguments.of("null", "invalid_json", null, "got null"),
        Arguments.of("{\"model\":\"m\"} x", "invalid_json", null, "not valid JSON"),
        Arguments.of("{\"model\":\"m\"}{\"model\":\"n\"}", "invalid_json", null, "after the JSON"),
        Arguments.of("{\"model\":\"m\"} 1", "invalid_json", null, "at byte 14"),
        Arguments.of("{\"model\":\"m\"", "invalid_json", null, "not valid JSON"),
        Arguments.of(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hel",
            "invalid_json",
            null,
            "not valid JSON"),
        Arguments.of("{\"model\":\"m\",}", "invalid_json", null, "not valid JSON"),
        Arguments.of("{model:\"m\"}", "invalid_json", null, "not valid JSON"),
        Arguments.of("{'model':'m'}", "invalid_json", null, "not valid JSON"),
        Arguments.of("{\"model\":\"m\",\"temperature\":NaN}", "invalid_json", null, "JSON"),
        Arguments.of("{\"model\":\"m\"// note\n}", "invalid_json", null, "JSON"),
        // A syntax error wins over a field problem found before it.
        Arguments.of("{\"model\":42,\"x\":}", "invalid_json", null, "not valid JSON"),
        Arguments.of("{}", "missing_model", "model", "'model' is required"),
        Arguments.of("{\"model\":null}", "missing_model", "model", "required"),
        Arguments.of(
            "{\"messages\":[{\"role\":\"user\",\"model\":\"m\"}]}",
            "missing_model",
            "model",
            "required"),
        Arguments.of("{\"settings\":{\"model\":\"m\"}}", "missing_model", "model", "required"),
        Arguments.of("{\"model\":42}", "invalid_value", "model", "must be a string, got a number"),
        Arguments.of("{\"model\":{\"id\":\"m\"}}", "invalid_value", "model", "got an object"),
        Arguments.of("{\"model\":[\"m\"]}", "invalid_value", "model", "got an array"),
        Arguments.of("{\"model\":true}", "invalid_value", "model", "got a boolean"),
        Arguments.of("{\"model\":\"\"}", "invalid_value", "model", "must not be empty"),
        Arguments.of(
            "{\"model\":\"" + "x".repeat(257) + "\"}", "invalid_value", "model", "257 characters"),
        Arguments.of(
            "{\"model\":\"m\",\"model\":\"n\"}", "invalid_value", "model", "more than once"),
        Arguments.of(
            "{\"model\":\"m\",\"stream\":\"true\"}", "invalid_value", "stream", "a string"),
        Arguments.of("{\"model\":\"m\",\"stream\":1}", "invalid_value", "stream", "a number"),
        Arguments.of("{\"model\":\"m\",\"stream\":{}}", "invalid_value", "stream", "an object"),
        Arguments.of(
            "{\"stream\":true,\"model\":\"m\",\"stream\":false}",
            "invalid_value",
            "stream",
            "more than once"),
        // The first field problem is the one reported.
        Arguments.of(
            "{\"stream\":\"no\",\"model\":5}", "invalid_value", "stream", "true or false"));
  }

  @ParameterizedTest
  @MethodSource("rejectedBodies")
  void rejectedWith400(String body, String code, String param, String words) {
    OpenAiError e = rejected(json(body));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.type()).isEqualTo("invalid_request_error");
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.message()).contains(words);
  }

  @Test
  void binaryGarbageAndInvalidUtf8AreInvalidJson() {
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '{', '}'};
    assertThat(rejected(RequestInspector.inspectJson(garbage)).code()).isEqualTo("invalid_json");
    byte[] badUtf8 = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xc3, '"', '}'};
    assertThat(rejected(RequestInspector.inspectJson(badUtf8)).code()).isEqualTo("invalid_json");
    assertThat(rejected(RequestInspector.inspectJson(null)).code()).isEqualTo("invalid_json");
  }

  @Test
  void nestingDeeperThanJacksonsLimitIsInvalidJsonNotAStackOverflow() {
    String deep = "[".repeat(100_000);
    OpenAiError e = rejected(json("{\"model\":\"m\",\"x\":" + deep + "}"));
    assertThat(e.code()).isEqualTo("invalid_json");
  }

  @Test
  void everyTruncationOfAValidBodyIsRefused() {
    String body =
        "{\"model\":\"acme/llama\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo 😀\"}],"
            + "\"stream\":true,\"max_tokens\":16}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    assertThat(RequestInspector.inspectJson(bytes))
        .isEqualTo(new Inspection.Ok("acme/llama", true));
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] prefix = java.util.Arrays.copyOf(bytes, cut);
      assertThat(RequestInspector.inspectJson(prefix))
          .as("cut at %d", cut)
          .isInstanceOfSatisfying(
              Inspection.Rejected.class,
              r -> assertThat(r.error().code()).isEqualTo("invalid_json"));
    }
  }

  @Test
  void largeNestedContentIsSkippedNotMistakenForTheModel() {
    String content = "\\\"model\\\": \\\"wrong\\\" ".repeat(50_000); // ~1.1 MB of text
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],\"model\":\"right\"}";
    assertThat(json(body)).isEqualTo(new Inspection.Ok("right", false));
  }

  @Test
  void dispatchesOnThePathFamily() {
    byte[] jsonBody = "{\"model\":\"m\",\"stream\":true}".getBytes(StandardCharsets.UTF_8);
    // JSON paths ignore the Content-Type: the engine judges it.
    assertThat(RequestInspector.inspect(InferencePath.CHAT_COMPLETIONS, jsonBody, "text/plain"))
        .isEqualTo(new Inspection.Ok("m", true));
    assertThat(RequestInspector.inspect(InferencePath.EMBEDDINGS, jsonBody, null))
        .isEqualTo(new Inspection.Ok("m", true));
    OpenAiError e =
        rejected(
            RequestInspector.inspect(
                InferencePath.AUDIO_TRANSCRIPTIONS, jsonBody, "application/json"));
    assertThat(e.code()).isEqualTo("invalid_multipart");
    assertThat(e.message())
        .isEqualTo(
            "/v1/audio/transcriptions takes multipart/form-data (a 'file' and a 'model' field),"
                + " got Content-Type 'application/json'.");
    byte[] form =
        "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--b--\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(
            RequestInspector.inspect(
                InferencePath.AUDIO_TRANSCRIPTIONS, form, "multipart/form-data; boundary=b"))
        .isEqualTo(new Inspection.Ok("whisper", false));
  }
}
