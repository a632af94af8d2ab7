package io.zeroscale.sim.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class LlmRequestTest {

  static JsonNode json(String text) {
    return Json.parseObject(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void rejectsChat(String body, String param) {
    assertThatThrownBy(() -> LlmRequest.chat(json(body)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo(param));
  }

  @Test
  void parsesAChatRequest() {
    LlmRequest r =
        LlmRequest.chat(
            json(
                """
                {"model":"m","messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"hello there"},
                                           {"type":"image_url","image_url":{"url":"x"}}]},
                 {"role":"assistant","content":null,"tool_calls":[]}],
                 "max_completion_tokens":5,"max_tokens":9,"n":2,"stream":true,
                 "stream_options":{"include_usage":true}}
                """));
    assertThat(r.model()).isEqualTo("m");
    assertThat(r.prompts()).hasSize(1);
    assertThat(r.prompts().getFirst().tokens()).isEqualTo(4);
    assertThat(r.maxTokens()).hasValue(5); // max_completion_tokens wins
    assertThat(r.n()).isEqualTo(2);
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
  }

  @Test
  void chatDefaults() {
    LlmRequest r =
        LlmRequest.chat(
            json("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}"));
    assertThat(r.maxTokens()).isEmpty();
    assertThat(r.n()).isEqualTo(1);
    assertThat(r.stream()).isFalse();
    assertThat(r.includeUsage()).isFalse();
    assertThat(r.prompts().getFirst().tokens()).isEqualTo(1); // at least one
  }

  @Test
  void chatValidationNamesTheField() {
    rejectsChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model");
    rejectsChat("{\"model\":5,\"messages\":[]}", "model");
    rejectsChat("{\"model\":\"m\"}", "messages");
    rejectsChat("{\"model\":\"m\",\"messages\":[]}", "messages");
    rejectsChat("{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role");
    String one = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    rejectsChat("{\"model\":\"m\"," + one + ",\"max_tokens\":0}", "max_tokens");
    rejectsChat("{\"model\":\"m\"," + one + ",\"max_tokens\":\"5\"}", "max_tokens");
    rejectsChat(
        "{\"model\":\"m\"," + one + ",\"max_completion_tokens\":-1}", "max_completion_tokens");
    rejectsChat("{\"model\":\"m\"," + one + ",\"n\":0}", "n");
    rejectsChat("{\"model\":\"m\"," + one + ",\"stream\":\"yes\"}", "stream");
  }

  @Test
  void invalidJsonIsABadRequest() {
    assertThatThrownBy(() -> json("{nope"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> json("[1,2]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> Json.parseObject(new byte[0]))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void completionPromptShapes() {
    assertThat(LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":\"a b c\"}")).prompts())
        .singleElement()
        .extracting(LlmRequest.Prompt::tokens)
        .isEqualTo(3);
    assertThat(
            LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":[\"a\",\"b c\"]}")).prompts())
        .extracting(LlmRequest.Prompt::tokens)
        .containsExactly(1, 2);
    assertThat(LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":[1,2,3,4]}")).prompts())
        .extracting(LlmRequest.Prompt::tokens)
        .containsExactly(4);
    assertThat(LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":[[1,2],[3]]}")).prompts())
        .extracting(LlmRequest.Prompt::tokens)
        .containsExactly(2, 1);
  }

  @Test
  void completionValidation() {
    assertThatThrownBy(() -> LlmRequest.completion(json("{\"model\":\"m\"}")))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
    assertThatThrownBy(() -> LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":[]}")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":{}}")))
        .isInstanceOf(InvalidRequestException.class);
  }
}
