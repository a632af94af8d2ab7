package io.zeroscale.sim.openai;

import static io.zeroscale.sim.openai.LlmRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.sim.engine.FinishReason;
import io.zeroscale.sim.generate.TextGenerator;
import org.junit.jupiter.api.Test;

class GenerationTest {

  private static Generation chat(String content, String extra) {
    return Generation.plan(
        LlmRequest.chat(
            json(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + content
                    + "\"}]"
                    + extra
                    + "}")),
        4096);
  }

  @Test
  void maxTokensGivesExactlyThatManyTokensAndFinishReasonLength() {
    Generation g = chat("hi", ",\"max_tokens\":7");
    assertThat(g.choices())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.tokens()).hasSize(7);
              assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
              assertThat(TextGenerator.countWords(c.text())).isEqualTo(7);
            });
    assertThat(g.job().steps()).isEqualTo(7);
    assertThat(g.job().finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void withoutMaxTokensTheLengthComesFromThePromptAndFinishReasonIsStop() {
    Generation g = chat("tell me a story", "");
    Generation.Choice c = g.choices().getFirst();
    assertThat(c.tokens().length).isBetween(8, 31);
    assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(g.promptTokens()).isEqualTo(4);
  }

  @Test
  void theSameRequestGetsTheSameAnswer() {
    assertThat(chat("same prompt", "").choices().getFirst().text())
        .isEqualTo(chat("same prompt", "").choices().getFirst().text())
        .isNotEqualTo(chat("other prompt", "").choices().getFirst().text());
  }

  @Test
  void eachOfNChoicesIsDifferentAndIndexed() {
    Generation g = chat("hi", ",\"n\":3,\"max_tokens\":6");
    assertThat(g.choices()).extracting(Generation.Choice::index).containsExactly(0, 1, 2);
    assertThat(g.choices()).extracting(Generation.Choice::text).doesNotHaveDuplicates();
    assertThat(g.completionTokens()).isEqualTo(18);
  }

  @Test
  void promptPlusMaxTokensMustFitTheContextWindow() {
    assertThatThrownBy(
            () ->
                Generation.plan(
                    LlmRequest.completion(
                        json("{\"model\":\"m\",\"prompt\":\"a b\",\"max_tokens\":99}")),
                    100))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"))
        .hasMessageContaining("maximum context length is 100");
  }
}
