package io.zeroscale.sim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The engine options of a deployment as vLLM flags, and the boot failure of a model. */
class EngineFlagsParserTest {

  private static SimConfig ok(String... args) {
    ParseResult result = SimConfigParser.parse(Map.of(), args);
    assertThat(result).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok) result).config();
  }

  private static String invalid(String... args) {
    ParseResult result = SimConfigParser.parse(Map.of(), args);
    assertThat(result).isInstanceOf(ParseResult.Invalid.class);
    return ((ParseResult.Invalid) result).message();
  }

  private static String invalidWith(String flag) {
    return invalid("org/repo", "--served-model-name=m", flag);
  }

  @Test
  void everyEngineFlagIsParsedAndReportedInTheEngineOptionsShape() {
    SimConfig c =
        ok(
            "org/repo",
            "--revision=0e9e39f",
            "--served-model-name=m",
            "--max-model-len=8192",
            "--gpu-memory-utilization=0.85",
            "--enable-prefix-caching",
            "--speculative-config={\"model\":\"org/draft\",\"revision\":\"abc1234\","
                + "\"num_speculative_tokens\":4}",
            "--enable-auto-tool-choice",
            "--tool-call-parser=hermes",
            "--reasoning-parser=qwen3",
            "--dtype=bfloat16",
            "--quantization=awq");

    assertThat(c.model()).isEqualTo("org/repo");
    assertThat(c.revision()).isEqualTo("0e9e39f");
    assertThat(c.maxModelLen()).isEqualTo(8192);
    assertThat(c.engine().toMap())
        .containsExactly(
            entry("max_model_len", 8192),
            entry("gpu_memory_utilization", new BigDecimal("0.85")),
            entry("enable_prefix_caching", true),
            entry(
                "speculative",
                Map.of("source", "hf://org/draft@abc1234", "num_speculative_tokens", 4)),
            entry("tool_call_parser", "hermes"),
            entry("reasoning_parser", "qwen3"),
            entry("dtype", "bfloat16"),
            entry("quantization", "awq"));
  }

  @Test
  void flagsWithSeparateValuesParseTheSame() {
    SimConfig c =
        ok(
            "serve",
            "org/repo",
            "--revision",
            "main",
            "--gpu-memory-utilization",
            "1",
            "--speculative-config",
            "{\"model\":\"org/draft\",\"num_speculative_tokens\":1}",
            "--tool-call-parser",
            "mistral",
            "--no-enable-prefix-caching");

    assertThat(c.servedModelNames()).containsExactly("org/repo");
    assertThat(c.revision()).isEqualTo("main");
    assertThat(c.engine().toMap())
        .containsExactly(
            entry("gpu_memory_utilization", BigDecimal.ONE),
            entry("enable_prefix_caching", false),
            entry("speculative", Map.of("source", "hf://org/draft", "num_speculative_tokens", 1)),
            entry("tool_call_parser", "mistral"),
            entry("enable_auto_tool_choice", false));
  }

  @Test
  void withoutEngineFlagsNothingIsReportedAndTheContextWindowIsTheDefault() {
    SimConfig c = ok("--served-model-name=m");

    assertThat(c.engine()).isEqualTo(EngineFlags.NONE);
    assertThat(c.engine().toMap()).isEmpty();
    assertThat(c.maxModelLen()).isEqualTo(SimConfig.DEFAULT_MAX_MODEL_LEN);
    assertThat(c.model()).isNull();
    assertThat(c.revision()).isNull();
  }

  @Test
  void theLastPrefixCachingSwitchWinsAsWithArgparse() {
    assertThat(
            ok("m", "--enable-prefix-caching", "--no-enable-prefix-caching")
                .engine()
                .enablePrefixCaching())
        .isFalse();
    assertThat(
            ok("m", "--no-enable-prefix-caching", "--enable-prefix-caching")
                .engine()
                .enablePrefixCaching())
        .isTrue();
  }

  @Test
  void aSwitchDoesNotSwallowThePositionalModel() {
    SimConfig c = ok("--enable-prefix-caching", "org/repo");

    assertThat(c.model()).isEqualTo("org/repo");
    assertThat(c.engine().enablePrefixCaching()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--dtype=int7 | --dtype | 'int7'",
        "--quantization=zip | --quantization | 'zip'",
        "--tool-call-parser=nope | --tool-call-parser | 'nope'",
        "--reasoning-parser=nope | --reasoning-parser | 'nope'",
        "--gpu-memory-utilization=1.5 | --gpu-memory-utilization | 1.5",
        "--gpu-memory-utilization=0 | --gpu-memory-utilization | 0",
        "--gpu-memory-utilization=most | --gpu-memory-utilization | most",
        "--max-model-len=0 | --max-model-len | 0",
        "--max-model-len=8k | --max-model-len | 8k",
        "--enable-prefix-caching=true | --enable-prefix-caching | true",
        "--enable-auto-tool-choice | --enable-auto-tool-choice | --tool-call-parser",
        "--speculative-config=draft | --speculative-config | not valid JSON",
        "--speculative-config=[1] | --speculative-config | not a JSON object",
        "--speculative-config={\"model\":\"d\"} | --speculative-config | num_speculative_tokens",
        "--speculative-config={\"num_speculative_tokens\":2} | --speculative-config | 'model'",
        "--speculative-config={\"model\":\"d\",\"num_speculative_tokens\":0} "
            + "| --speculative-config | >= 1",
        "--speculative-config={\"model\":\"d\",\"num_speculative_tokens\":2,\"x\":1} "
            + "| --speculative-config | 'x'",
        "--fail-boot-for-models=a,,b | --fail-boot-for-models | empty glob",
        "--revision= | --revision | empty",
      })
  void aBadValueIsRefusedNamingTheFlag(String arg, String flag, String detail) {
    assertThat(invalidWith(arg)).contains(flag).contains(detail);
  }

  @Test
  void aBadChoiceListsTheValidOnes() {
    assertThat(invalidWith("--dtype=int8"))
        .contains("choose from auto, bfloat16, float, float16, float32, half");
  }

  @Test
  void aModelMatchingAFailBootGlobFailsToBoot() {
    assertThat(ok("org/bad-model", "--fail-boot-for-models=other/x,org/bad-*").bootFailure())
        .hasValue("org/bad-*");
    assertThat(ok("org/good", "--fail-boot-for-models=org/bad-*").bootFailure()).isEmpty();
  }

  @Test
  void aFailBootGlobMayNameARevisionAndItsStarCrossesSlashes() {
    List<String> args = List.of("--revision=v2", "--fail-boot-for-models=org/repo@v2");

    assertThat(ok(concat("org/repo", args)).bootFailure()).hasValue("org/repo@v2");
    assertThat(ok("org/repo", "--revision=v1", "--fail-boot-for-models=org/repo@v2").bootFailure())
        .isEmpty();
    assertThat(ok("org/repo", "--fail-boot-for-models=*").bootFailure()).hasValue("*");
    assertThat(ok("org/repo", "--fail-boot-for-models=org/rep?").bootFailure())
        .hasValue("org/rep?");
    assertThat(ok("org/repo", "--fail-boot-for-models=org.rep?").bootFailure())
        .as("a dot is no wildcard")
        .isEmpty();
    assertThat(ok("--served-model-name=m", "--fail-boot-for-models=*").bootFailure())
        .as("no model, nothing to match")
        .isEmpty();
  }

  private static String[] concat(String first, List<String> rest) {
    String[] out = new String[rest.size() + 1];
    out[0] = first;
    for (int i = 0; i < rest.size(); i++) {
      out[i + 1] = rest.get(i);
    }
    return out;
  }
}
