package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfigParser;
import io.zeroscale.sim.openai.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /debug/last-traceparent} on a live in-process server. */
class LastTraceparentTest {

  private static final String KEY = "zse_key-of-this-test-instance";
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private static HttpResponse<String> get(RunningSim sim, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(sim.url("/debug/last-traceparent"))).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return RunningSim.send(b.build());
  }

  private static HttpResponse<String> complete(RunningSim sim, String traceparent) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(sim.url("/v1/completions")))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"hi\"}"));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return RunningSim.send(b.build());
  }

  private static String recorded(RunningSim sim) {
    HttpResponse<String> response = get(sim, KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    var node = Json.parseObject(response.body().getBytes(StandardCharsets.UTF_8));
    return node.get("traceparent").isNull() ? null : node.get("traceparent").asString();
  }

  @Test
  void theLastInferenceRequestsTraceparentIsShownBehindTheKey() {
    ParseResult result =
        SimConfigParser.parse(
            Map.of("VLLM_API_KEY", KEY),
            new String[] {
              "org/repo", "--served-model-name=m", "--host=127.0.0.1", "--port=0",
            });
    try (RunningSim sim = RunningSim.start(((ParseResult.Ok) result).config())) {
      await().until(sim.sim::isReady);
      assertThat(get(sim, null).statusCode()).isEqualTo(401);
      assertThat(recorded(sim)).isNull();

      assertThat(complete(sim, TRACEPARENT).statusCode()).isEqualTo(200);
      assertThat(recorded(sim)).isEqualTo(TRACEPARENT);

      assertThat(complete(sim, null).statusCode()).isEqualTo(200);
      assertThat(recorded(sim)).as("a request without one clears it").isNull();
    }
  }
}
