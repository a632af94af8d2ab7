package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import io.zeroscale.gateway.model.hub.HfSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

class ModelTest {

  @Test
  void jsonHasEveryFieldAndNeverAToken() {
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    UUID id = UUID.randomUUID();
    Model m =
        new Model(
            id,
            UUID.randomUUID(),
            "llama",
            "hf://o/m@main",
            "o/m",
            "main",
            Family.LLM,
            ModelStatus.READY,
            null,
            "LlamaForCausalLM",
            "llama",
            "abc",
            13L,
            6L,
            true,
            t,
            t,
            null,
            false);
    // As served: what the JSON reads back as (integers as longs).
    Map<String, Object> json =
        JsonMapper.builder()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build()
            .convertValue(m.json(), new TypeReference<Map<String, Object>>() {});
    assertThat(json)
        .containsOnlyKeys(
            "id",
            "object",
            "name",
            "source",
            "repo",
            "revision",
            "sha",
            "family",
            "status",
            "error",
            "architecture",
            "model_type",
            "weight_bytes",
            "parameter_count",
            "has_hf_token",
            "created_at",
            "updated_at")
        .containsEntry("id", id.toString())
        .containsEntry("family", "llm")
        .containsEntry("status", "ready")
        .containsEntry("has_hf_token", true)
        .containsEntry("weight_bytes", 13L)
        .containsEntry("created_at", "2026-01-02T03:04:05Z");
    assertThat(m.deployable()).isTrue();
    // Byte for byte what the map it replaced was written as: the order, the nulls.
    assertThat(JsonMapper.builder().build().writeValueAsString(m.json()))
        .isEqualTo(
            "{\"id\":\""
                + id
                + "\",\"object\":\"model\",\"name\":\"llama\",\"source\":\"hf://o/m@main\","
                + "\"repo\":\"o/m\",\"revision\":\"main\",\"sha\":\"abc\",\"family\":\"llm\","
                + "\"status\":\"ready\",\"error\":null,\"architecture\":\"LlamaForCausalLM\","
                + "\"model_type\":\"llama\",\"weight_bytes\":13,\"parameter_count\":6,"
                + "\"has_hf_token\":true,\"created_at\":\"2026-01-02T03:04:05Z\","
                + "\"updated_at\":\"2026-01-02T03:04:05Z\"}");
  }

  @Test
  void namesFollowTheRule() {
    assertThat(Names.problem("model_name", "Llama-2-7b.hf_v1")).isEmpty();
    assertThat(Names.problem("model_name", "a".repeat(128))).isEmpty();
    assertThat(Names.problem("model_name", "a".repeat(129))).isPresent();
    assertThat(Names.problem("model_name", "_x")).isPresent();
    assertThat(Names.problem("model_name", "")).isPresent();
    assertThat(Names.problem("model_name", null)).hasValueSatisfying(p -> p.contains("nothing"));
    assertThat(Names.fromRepo("meta-llama/Llama-2-7b-hf")).contains("Llama-2-7b-hf");
    assertThat(Names.fromRepo("org/_private")).isEmpty();
  }

  @Test
  void inlineImportNamesPreferTheDeploymentThenTheRepoThenSuffixes() {
    List<String> names = ModelService.inlineNames("chat", HfSource.of("meta-llama/Llama-2-7b-hf"));
    assertThat(names)
        .startsWith("chat", "Llama-2-7b-hf", "chat-2")
        .endsWith("chat-9")
        .hasSize(10)
        .doesNotHaveDuplicates();
    assertThat(ModelService.inlineNames("a".repeat(128), HfSource.of("o/m")))
        .as("suffixed names that break the length rule are skipped")
        .containsExactly("a".repeat(128), "m");
  }
}
