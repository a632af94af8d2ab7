package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.model.Bodies.assertError;
import static io.zeroscale.gateway.model.Bodies.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.EngineOptions;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code engine} object: allowlisted fields, their bounds, merge semantics. */
class EngineRulesTest {

  private static final EngineOptions BASE =
      new EngineOptions(
          4096,
          new BigDecimal("0.9"),
          true,
          new EngineOptions.Speculative("hf://o/draft@abc", 4),
          "hermes",
          "qwen3",
          "bfloat16",
          "fp8");

  private static EngineRules.Requested read(String singleQuoted, EngineOptions base) {
    return EngineRules.read(body(singleQuoted), base);
  }

  @Test
  void everyFieldIsReadAndMapsToItsVllmFlag() {
    EngineRules.Requested r =
        read(
            "{'engine':{'max_model_len':8192,'gpu_memory_utilization':0.85,"
                + "'enable_prefix_caching':false,'speculative':{'model':'draft',"
                + "'num_speculative_tokens':5},'tool_call_parser':'llama3_json',"
                + "'reasoning_parser':'deepseek_r1','dtype':'half','quantization':'awq'}}",
            EngineOptions.NONE);
    assertThat(r.draft()).isEqualTo(new EngineRules.DraftRef("draft", 5));
    EngineOptions o = r.resolved("hf://o/draft@0123");
    assertThat(o.vllmArgs())
        .containsExactly(
            "--max-model-len=8192",
            "--gpu-memory-utilization=0.85",
            "--no-enable-prefix-caching",
            "--speculative-config={\"model\":\"o/draft\",\"revision\":\"0123\","
                + "\"num_speculative_tokens\":5}",
            "--enable-auto-tool-choice",
            "--tool-call-parser=llama3_json",
            "--reasoning-parser=deepseek_r1",
            "--dtype=half",
            "--quantization=awq");
  }

  @Test
  void absentKeepsNullResetsAndEngineNullResetsEverything() {
    assertThat(read("{}", BASE).options()).isEqualTo(BASE);
    EngineRules.Requested r = read("{'engine':{'dtype':null,'max_model_len':2048}}", BASE);
    assertThat(r.options().dtype()).isNull();
    assertThat(r.options().maxModelLen()).isEqualTo(2048);
    assertThat(r.options().speculative()).as("kept").isEqualTo(BASE.speculative());
    assertThat(r.options().quantization()).isEqualTo("fp8");
    assertThat(read("{'engine':null}", BASE).options()).isEqualTo(EngineOptions.NONE);
    assertThat(read("{'engine':{'speculative':'off'}}", BASE).options().speculative()).isNull();
    assertThat(read("{'engine':{'speculative':null}}", BASE).options().speculative()).isNull();
    assertThat(read("{'engine':{'speculative':null}}", BASE).draft()).isNull();
  }

  @Test
  void utilizationHasOneSpellingSoThatSendingItBackIsNoChange() {
    EngineOptions o =
        read("{'engine':{'gpu_memory_utilization':'0.900'}}", EngineOptions.NONE).options();
    assertThat(o.gpuMemoryUtilization()).isEqualTo(new BigDecimal("0.9"));
    assertThat(read("{'engine':{'gpu_memory_utilization':1.0}}", BASE).options())
        .extracting(EngineOptions::gpuMemoryUtilization)
        .isEqualTo(BigDecimal.ONE);
    assertThat(EngineRules.normalized(BASE)).isEqualTo(BASE);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'engine':{'max_num_seqs':8}}|engine.max_num_seqs|Unknown field",
        "{'engine':{'args':'--enforce-eager'}}|engine.args|Unknown field",
        "{'engine':'fast'}|engine|must be an object",
        "{'engine':{'max_model_len':127}}|engine.max_model_len|between 128 and 1048576",
        "{'engine':{'max_model_len':1048577}}|engine.max_model_len|between 128 and 1048576",
        "{'engine':{'max_model_len':'4096'}}|engine.max_model_len|must be an integer",
        "{'engine':{'max_model_len':4096.5}}|engine.max_model_len|must be an integer",
        "{'engine':{'gpu_memory_utilization':0.09}}|engine.gpu_memory_utilization|between 0.1 and 1",
        "{'engine':{'gpu_memory_utilization':1.01}}|engine.gpu_memory_utilization|between 0.1 and 1",
        "{'engine':{'gpu_memory_utilization':0.9001}}|engine.gpu_memory_utilization|at most 3 decimals",
        "{'engine':{'gpu_memory_utilization':true}}|engine.gpu_memory_utilization|must be a number",
        "{'engine':{'enable_prefix_caching':'yes'}}|engine.enable_prefix_caching|true or false",
        "{'engine':{'tool_call_parser':'gpt'}}|engine.tool_call_parser|must be one of [deepseek_v3",
        "{'engine':{'tool_call_parser':7}}|engine.tool_call_parser|must be a string",
        "{'engine':{'reasoning_parser':'o1'}}|engine.reasoning_parser|must be one of [deepseek_r1",
        "{'engine':{'dtype':'int4'}}|engine.dtype|must be one of [auto, bfloat16",
        "{'engine':{'quantization':'magic'}}|engine.quantization|must be one of [awq",
        "{'engine':{'speculative':'on'}}|engine.speculative|must be null",
        "{'engine':{'speculative':3}}|engine.speculative|must be null",
        "{'engine':{'speculative':{'num_speculative_tokens':3}}}|engine.speculative.model|is required",
        "{'engine':{'speculative':{'model':' ','num_speculative_tokens':3}}}|engine.speculative.model|must not be empty",
        "{'engine':{'speculative':{'model':'d'}}}|engine.speculative.num_speculative_tokens|is required",
        "{'engine':{'speculative':{'model':'d','num_speculative_tokens':0}}}|engine.speculative.num_speculative_tokens|between 1 and 16",
        "{'engine':{'speculative':{'model':'d','num_speculative_tokens':17}}}|engine.speculative.num_speculative_tokens|between 1 and 16",
        "{'engine':{'speculative':{'model':'d','num_speculative_tokens':2,'method':'eagle'}}}|engine.speculative.method|Unknown field",
      })
  void everyBadValueIs422OnItsFieldWithTheAllowedValues(String json, String param, String message) {
    assertError(() -> read(json, EngineOptions.NONE), 422, param, message);
  }
}
