package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfig;
import io.zeroscale.sim.config.SimConfigParser;
import io.zeroscale.sim.openai.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** vLLM's {@code --api-key} / {@code VLLM_API_KEY}: 401 without the key, probes stay open. */
class ApiKeyTest {

  private static final String KEY = "k-Zq3_secret-key-of-this-instance";
  private static final String CHAT =
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}";

  private static RunningSim sim;

  @BeforeAll
  static void start() {
    sim = RunningSim.start(RunningSim.config().apiKey(KEY));
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static HttpResponse<String> chat(String authorization) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(sim.url("/v1/chat/completions")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(CHAT));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return RunningSim.send(b.build());
  }

  private static void assertUnauthorized(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate")).hasValue("Bearer");
    JsonNode error =
        Json.parseObject(response.body().getBytes(StandardCharsets.UTF_8)).get("error");
    assertThat(error.get("code").intValue()).isEqualTo(401);
    assertThat(error.get("type").stringValue()).isEqualTo("AuthenticationError");
    assertThat(error.get("message").stringValue()).doesNotContain(KEY);
    assertThat(error.has("param")).isTrue();
  }

  @Test
  void theRightKeyIsServed() {
    assertThat(chat("Bearer " + KEY).statusCode()).isEqualTo(200);
    assertThat(chat("bearer " + KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void noKeyAWrongKeyOrAnotherSchemeIs401() {
    assertUnauthorized(chat(null));
    assertUnauthorized(chat("Bearer wrong"));
    assertUnauthorized(chat("Bearer " + KEY + "x"));
    assertUnauthorized(chat("Bearer " + KEY.substring(1)));
    assertUnauthorized(chat("Basic " + KEY));
    assertUnauthorized(chat(KEY));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/models", "/rerank", "/v2/rerank", "/tokenize", "/nowhere"})
  void everyOtherPathNeedsTheKey(String path) {
    assertUnauthorized(sim.get(path));
  }

  @Test
  void probesStayOpen() {
    assertThat(sim.get("/health").statusCode()).isEqualTo(200);
    assertThat(sim.get("/metrics").statusCode()).isEqualTo(200);
    assertThat(sim.get("/metrics").body()).contains("vllm:num_requests_running");
  }

  @Test
  void withoutAKeyTheEngineIsOpen() {
    try (RunningSim open = RunningSim.start(RunningSim.config())) {
      assertThat(open.get("/v1/models").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theFlagAndTheEnvironmentVariableBothSetTheKeyAndTheFlagWins() {
    assertThat(config(Map.of(), "--served-model-name=m", "--api-key=a").apiKey()).isEqualTo("a");
    assertThat(config(Map.of(), "--served-model-name=m", "--api-key", "a").apiKey()).isEqualTo("a");
    assertThat(config(Map.of("VLLM_API_KEY", "e"), "--served-model-name=m").apiKey())
        .isEqualTo("e");
    assertThat(config(Map.of("VLLM_API_KEY", "e"), "--served-model-name=m", "--api-key=a").apiKey())
        .isEqualTo("a");
    assertThat(config(Map.of("VLLM_API_KEY", ""), "--served-model-name=m").apiKey()).isNull();
    assertThat(config(Map.of(), "--served-model-name=m").requiresApiKey()).isFalse();
    assertThat(SimConfigParser.parse(Map.of(), "--served-model-name=m", "--api-key="))
        .isInstanceOf(ParseResult.Invalid.class);
  }

  @Test
  void theKeyNeverShowsInTheConfigsText() {
    SimConfig c = config(Map.of("VLLM_API_KEY", KEY), "--served-model-name=m");
    assertThat(c.toString()).doesNotContain(KEY).contains("apiKey=***");
  }

  private static SimConfig config(Map<String, String> env, String... args) {
    ParseResult result = SimConfigParser.parse(env, args);
    assertThat(result).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok) result).config();
  }
}
