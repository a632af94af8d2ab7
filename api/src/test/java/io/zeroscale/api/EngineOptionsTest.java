package io.zeroscale.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EngineOptionsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static EngineOptions draft(String source) {
    return new EngineOptions(
        null, null, null, new EngineOptions.Speculative(source, 4), null, null, null, null);
  }

  private static JsonNode speculativeConfig(EngineOptions engine) {
    List<String> args = engine.vllmArgs();
    assertThat(args).singleElement().asString().startsWith("--speculative-config=");
    return JSON.readTree(args.getFirst().substring("--speculative-config=".length()));
  }

  @Test
  void theSpeculativeConfigIsTheSameJsonAsBefore() {
    assertThat(draft("hf://org/draft@0123abc").vllmArgs())
        .containsExactly(
            "--speculative-config={\"model\":\"org/draft\",\"revision\":\"0123abc\","
                + "\"num_speculative_tokens\":4}");
    assertThat(draft("hf://org/draft").vllmArgs())
        .containsExactly(
            "--speculative-config={\"model\":\"org/draft\",\"num_speculative_tokens\":4}");
  }

  @Test
  void aHostileRevisionStaysInsideItsJsonString() {
    String hostile = "x\",\"trust_remote_code\":true,\"y\":\"\\\n\t\u0000\u2028";
    JsonNode config = speculativeConfig(draft("hf://org/draft@" + hostile));
    assertThat(config.propertyNames())
        .containsExactly("model", "revision", "num_speculative_tokens");
    assertThat(config.get("revision").stringValue()).isEqualTo(hostile);
    assertThat(config.get("model").stringValue()).isEqualTo("org/draft");
    assertThat(config.get("num_speculative_tokens").intValue()).isEqualTo(4);
    assertThat(draft("hf://org/draft@" + hostile).vllmArgs().getFirst())
        .doesNotContain("\n", "\t", "\u0000", "\u2028");
  }

  @Test
  void aHostileRepoIsEscapedToo() {
    String repo = "o/\"}{\\";
    JsonNode config = speculativeConfig(draft("hf://" + repo + "@main"));
    assertThat(config.get("model").stringValue()).isEqualTo(repo);
    assertThat(config.get("revision").stringValue()).isEqualTo("main");
  }
}
