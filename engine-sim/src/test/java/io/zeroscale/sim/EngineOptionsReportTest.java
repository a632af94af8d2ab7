package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfig;
import io.zeroscale.sim.config.SimConfigParser;
import io.zeroscale.sim.openai.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /debug/engine} and {@code --fail-boot-for-models} on a live in-process server. */
class EngineOptionsReportTest {

  private static final String KEY = "zse_key-of-this-test-instance";

  /** The command line as the simulator parses it, on 127.0.0.1 and an ephemeral port. */
  private static SimConfig parse(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--host=127.0.0.1";
    all[args.length + 1] = "--port=0";
    ParseResult result = SimConfigParser.parse(Map.of("VLLM_API_KEY", KEY), all);
    assertThat(result).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok) result).config();
  }

  private static RunningSim start(SimConfig config) {
    return RunningSim.start(config);
  }

  private static HttpResponse<String> debugEngine(RunningSim sim, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.url("/debug/engine"))).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return RunningSim.send(b.build());
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.parseObject(response.body().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void debugEngineReportsTheModelRevisionSlotsAndEngineFlagsBehindTheKey() {
    SimConfig config =
        parse(
            "org/repo",
            "--revision=0e9e39f",
            "--served-model-name=m",
            "--max-num-seqs=8",
            "--startup-duration=1h",
            "--max-model-len=16384",
            "--gpu-memory-utilization=0.9",
            "--no-enable-prefix-caching",
            "--speculative-config={\"model\":\"org/draft\",\"num_speculative_tokens\":3}",
            "--enable-auto-tool-choice",
            "--tool-call-parser=llama3_json",
            "--dtype=half",
            "--quantization=fp8");
    try (RunningSim sim = start(config)) {
      assertThat(debugEngine(sim, null).statusCode()).isEqualTo(401);
      assertThat(debugEngine(sim, "zse_wrong").statusCode()).isEqualTo(401);

      HttpResponse<String> response = debugEngine(sim, KEY);

      assertThat(sim.sim.isReady()).as("reported before ready too").isFalse();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(json(response))
          .isEqualTo(
              Json.MAPPER.readTree(
                  """
                  {"model":"org/repo","revision":"0e9e39f","max_num_seqs":8,
                   "engine":{"max_model_len":16384,"gpu_memory_utilization":0.9,
                             "enable_prefix_caching":false,
                             "speculative":{"source":"hf://org/draft","num_speculative_tokens":3},
                             "tool_call_parser":"llama3_json","dtype":"half",
                             "quantization":"fp8"}}
                  """));
    }
  }

  @Test
  void withoutEngineFlagsTheEngineObjectIsEmptyAndTheRevisionNull() {
    try (RunningSim sim = start(parse("org/repo", "--served-model-name=m"))) {
      JsonNode body = json(debugEngine(sim, KEY));

      assertThat(body.get("model").stringValue()).isEqualTo("org/repo");
      assertThat(body.get("revision").isNull()).isTrue();
      assertThat(body.get("max_num_seqs").intValue()).isEqualTo(SimConfig.DEFAULT_MAX_NUM_SEQS);
      assertThat(body.get("engine").isObject()).isTrue();
      assertThat(body.get("engine").isEmpty()).isTrue();
    }
  }

  @Test
  void onlyGetIsAllowed() {
    try (RunningSim sim = start(parse("org/repo"))) {
      HttpResponse<String> response =
          RunningSim.send(
              HttpRequest.newBuilder(URI.create(sim.url("/debug/engine")))
                  .header("Authorization", "Bearer " + KEY)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build());

      assertThat(response.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aModelMatchingFailBootCrashesAtBootAndNeverTurnsHealthy() {
    SimConfig config =
        parse("org/bad", "--revision=v2", "--startup-duration=0", "--fail-boot-for-models=org/b*");
    try (RunningSim sim = start(config)) {
      assertThat(sim.hooks.crashes)
          .singleElement()
          .asString()
          .contains("--fail-boot-for-models")
          .contains("org/bad@v2")
          .contains("'org/b*'");
      assertThat(sim.hooks.ready).isFalse();
      assertThat(sim.sim.isReady()).isFalse();
      assertThat(sim.get("/health").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void anotherModelBootsDespiteTheGlobs() {
    SimConfig config =
        parse("org/good", "--startup-duration=0", "--fail-boot-for-models=org/b*,x/*");
    try (RunningSim sim = start(config)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> sim.get("/health").statusCode() == 200);
      assertThat(sim.hooks.crashes).isEmpty();
    }
  }
}
