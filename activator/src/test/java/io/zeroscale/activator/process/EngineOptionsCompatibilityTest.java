package io.zeroscale.activator.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.EngineOptions;
import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfigParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every engine option the API allows ({@link EngineOptions}' constants and bounds), rendered as the
 * flags an instance starts with, is accepted by the simulator and reported back as the deployment
 * asked for it: the simulator's vLLM lists must not fall behind the API's allowlist.
 */
class EngineOptionsCompatibilityTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The simulator's report of {@code options}, as its parser reads their flags. */
  private static Map<String, Object> simulatorSees(EngineOptions options) {
    List<String> args = new ArrayList<>(List.of("org/repo", "--served-model-name=m"));
    args.addAll(options.vllmArgs());
    ParseResult result = SimConfigParser.parse(Map.of(), args.toArray(String[]::new));
    assertThat(result).as("%s", args).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok) result).config().engine().toMap();
  }

  private static void assertRoundTrip(EngineOptions options) {
    JsonNode seen = JSON.valueToTree(simulatorSees(options));
    JsonNode asked = JSON.valueToTree(options.toMap());
    assertThat(seen).as("%s", options).isEqualTo(asked);
  }

  private static EngineOptions only(String dtype, String quantization, String tool, String reason) {
    return new EngineOptions(null, null, null, null, tool, reason, dtype, quantization);
  }

  @Test
  void everyAllowedChoiceIsAcceptedAndReportedAsIs() {
    EngineOptions.DTYPES.forEach(v -> assertRoundTrip(only(v, null, null, null)));
    EngineOptions.QUANTIZATIONS.forEach(v -> assertRoundTrip(only(null, v, null, null)));
    EngineOptions.TOOL_CALL_PARSERS.forEach(v -> assertRoundTrip(only(null, null, v, null)));
    EngineOptions.REASONING_PARSERS.forEach(v -> assertRoundTrip(only(null, null, null, v)));
  }

  @Test
  void theBoundsOfEveryNumberAreAccepted() {
    for (int len : List.of(EngineOptions.MAX_MODEL_LEN_MIN, EngineOptions.MAX_MODEL_LEN_MAX)) {
      assertRoundTrip(new EngineOptions(len, null, null, null, null, null, null, null));
    }
    for (var share :
        List.of(
            EngineOptions.GPU_MEMORY_UTILIZATION_MIN, EngineOptions.GPU_MEMORY_UTILIZATION_MAX)) {
      assertRoundTrip(new EngineOptions(null, share, null, null, null, null, null, null));
    }
    for (int n :
        List.of(EngineOptions.SPECULATIVE_TOKENS_MIN, EngineOptions.SPECULATIVE_TOKENS_MAX)) {
      assertRoundTrip(
          new EngineOptions(
              null,
              null,
              null,
              new EngineOptions.Speculative("hf://org/draft@0123abc", n),
              null,
              null,
              null,
              null));
    }
  }

  @Test
  void bothPrefixCachingSwitchesAndADraftWithoutRevisionRoundTrip() {
    assertRoundTrip(new EngineOptions(null, null, true, null, null, null, null, null));
    assertRoundTrip(new EngineOptions(null, null, false, null, null, null, null, null));
    assertRoundTrip(
        new EngineOptions(
            null,
            null,
            null,
            new EngineOptions.Speculative("hf://org/draft", 2),
            null,
            null,
            null,
            null));
  }

  @Test
  void noOptionIsNoFlagAndAnEmptyReport() {
    assertThat(EngineOptions.NONE.vllmArgs()).isEmpty();
    assertThat(simulatorSees(EngineOptions.NONE)).isEmpty();
  }
}
