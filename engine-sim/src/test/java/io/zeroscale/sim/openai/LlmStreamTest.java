package io.zeroscale.sim.openai;

import static io.zeroscale.sim.openai.LlmRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class LlmStreamTest {

  private static List<String> events(LlmStream stream, int steps) {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < steps; i++) {
      all.append(new String(stream.step(i), StandardCharsets.UTF_8));
    }
    all.append(new String(stream.trailer(), StandardCharsets.UTF_8));
    List<String> events = new ArrayList<>();
    for (String event : all.toString().split("\n\n")) {
      assertThat(event).startsWith("data: ");
      events.add(event.substring("data: ".length()));
    }
    return events;
  }

  @Test
  void chatStreamWithUsageHasOpenAisShape() {
    LlmRequest request =
        LlmRequest.chat(
            json(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\"}],"
                    + "\"max_tokens\":3,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
    Generation g = Generation.plan(request, 4096);
    LlmStream stream = new LlmStream(true, "chatcmpl-1", 1700000000L, "m\"x", g, true);
    List<String> events = events(stream, g.steps());

    assertThat(events).hasSize(1 + 3 + 1 + 1 + 1).last().isEqualTo("[DONE]");
    List<JsonNode> chunks =
        events.subList(0, events.size() - 1).stream().map(LlmRequestTest::json).toList();
    for (JsonNode chunk : chunks) {
      assertThat(chunk.get("id").stringValue()).isEqualTo("chatcmpl-1");
      assertThat(chunk.get("object").stringValue()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.get("created").longValue()).isEqualTo(1700000000L);
      assertThat(chunk.get("model").stringValue()).isEqualTo("m\"x");
      assertThat(chunk.has("usage")).isTrue();
    }
    JsonNode role = chunks.getFirst().get("choices").get(0);
    assertThat(role.get("delta").get("role").stringValue()).isEqualTo("assistant");
    assertThat(role.get("delta").get("content").stringValue()).isEmpty();
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : chunks.subList(1, 4)) {
      JsonNode choice = chunk.get("choices").get(0);
      assertThat(choice.get("finish_reason").isNull()).isTrue();
      assertThat(chunk.get("usage").isNull()).isTrue();
      text.append(choice.get("delta").get("content").stringValue());
    }
    assertThat(text.toString()).isEqualTo(g.choices().getFirst().text());
    JsonNode finish = chunks.get(4).get("choices").get(0);
    assertThat(finish.get("delta").isEmpty()).isTrue();
    assertThat(finish.get("finish_reason").stringValue()).isEqualTo("length");
    JsonNode usage = chunks.get(5);
    assertThat(usage.get("choices").isEmpty()).isTrue();
    assertThat(usage.get("usage").get("completion_tokens").intValue()).isEqualTo(3);
    assertThat(usage.get("usage").get("total_tokens").intValue())
        .isEqualTo(3 + usage.get("usage").get("prompt_tokens").intValue());
  }

  @Test
  void withoutIncludeUsageThereIsNoUsageField() {
    Generation g =
        Generation.plan(
            LlmRequest.completion(json("{\"model\":\"m\",\"prompt\":\"p\",\"max_tokens\":2}")),
            4096);
    LlmStream stream = new LlmStream(false, "cmpl-1", 1, "m", g, false);
    List<String> events = events(stream, g.steps());
    assertThat(events).hasSize(2 + 1 + 1).last().isEqualTo("[DONE]");
    for (String event : events.subList(0, 3)) {
      JsonNode chunk = json(event);
      assertThat(chunk.get("object").stringValue()).isEqualTo("text_completion");
      assertThat(chunk.has("usage")).isFalse();
    }
    assertThat(json(events.get(2)).get("choices").get(0).get("finish_reason").stringValue())
        .isEqualTo("length");
  }

  @Test
  void choicesOfDifferentLengthsFinishOnTheirOwnLastStep() {
    Generation g =
        Generation.plan(
            LlmRequest.completion(
                json("{\"model\":\"m\",\"prompt\":[\"a\",\"b b b b b\"],\"n\":1}")),
            4096);
    LlmStream stream = new LlmStream(false, "cmpl-1", 1, "m", g, false);
    int finishes = 0;
    for (String event : events(stream, g.steps())) {
      if (!event.equals("[DONE]")
          && !json(event).get("choices").get(0).get("finish_reason").isNull()) {
        finishes++;
      }
    }
    assertThat(finishes).isEqualTo(2);
  }
}
