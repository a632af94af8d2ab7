package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfig;
import io.zeroscale.sim.config.SimConfigParser;
import io.zeroscale.sim.config.TokenFingerprint;
import io.zeroscale.sim.openai.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The simulator records the {@code HF_TOKEN} it was started with, masked: on {@code GET
 * /debug/credentials} (behind the API key) and in its start-up lines, never in clear.
 */
class HfTokenFingerprintTest {

  private static final String TOKEN = "hf_TenantAsOwnSecretToken9Xyz";
  private static final String KEY = "zse_engine-key-of-this-instance";

  private static SimConfig parse(Map<String, String> env) {
    return ((ParseResult.Ok) SimConfigParser.parse(env, "--served-model-name=m")).config();
  }

  @Test
  void masksTheTokenAndFingerprintsIt() {
    TokenFingerprint f = TokenFingerprint.of(TOKEN);
    assertThat(f.masked()).isEqualTo("hf_…9Xyz");
    assertThat(f.sha256()).hasSize(16).isEqualTo(TokenFingerprint.sha256Prefix(TOKEN));
    assertThat(f.sha256()).isNotEqualTo(TokenFingerprint.sha256Prefix(TOKEN + "x"));
    assertThat(f.toString()).doesNotContain("TenantAsOwn");
    assertThat(TokenFingerprint.of("hf_short").masked()).isEqualTo("…");
    assertThat(TokenFingerprint.of(null)).isNull();
    assertThat(TokenFingerprint.of("")).isNull();
  }

  @Test
  void readsHfTokenFromTheEnvironmentAndKeepsOnlyItsFingerprint() {
    SimConfig config = parse(Map.of("HF_TOKEN", TOKEN));
    assertThat(config.hfToken()).isEqualTo(TokenFingerprint.of(TOKEN));
    assertThat(config.toString()).contains("hf_…9Xyz").doesNotContain(TOKEN);
    assertThat(parse(Map.of()).hfToken()).isNull();
    assertThat(parse(Map.of("HF_TOKEN", "")).hfToken()).isNull();
  }

  @Test
  void theStartUpLinesShowItMasked() {
    var out = new ByteArrayOutputStream();
    var print = new PrintStream(out, true, StandardCharsets.UTF_8);
    new EngineSimMain.ConsoleHooks(parse(Map.of("HF_TOKEN", TOKEN)), print, print)
        .listening("127.0.0.1", 8000);
    new EngineSimMain.ConsoleHooks(parse(Map.of()), print, print).listening("127.0.0.1", 8001);
    String lines = out.toString(StandardCharsets.UTF_8);
    assertThat(lines)
        .contains("engine-sim hf_token=hf_…9Xyz sha256:" + TokenFingerprint.sha256Prefix(TOKEN))
        .contains("engine-sim hf_token=none")
        .doesNotContain(TOKEN);
  }

  @Test
  void theDebugEndpointAnswersTheFingerprintBehindTheKey() {
    try (RunningSim sim = RunningSim.start(RunningSim.config().apiKey(KEY).hfToken(TOKEN))) {
      HttpResponse<String> open =
          RunningSim.send(
              HttpRequest.newBuilder(URI.create(sim.url("/debug/credentials"))).GET().build());
      assertThat(open.statusCode()).isEqualTo(401);

      HttpResponse<String> keyed =
          RunningSim.send(
              HttpRequest.newBuilder(URI.create(sim.url("/debug/credentials")))
                  .header("Authorization", "Bearer " + KEY)
                  .GET()
                  .build());
      assertThat(keyed.statusCode()).isEqualTo(200);
      assertThat(keyed.body()).doesNotContain(TOKEN);
      JsonNode token =
          Json.parseObject(keyed.body().getBytes(StandardCharsets.UTF_8)).get("hf_token");
      assertThat(token.get("masked").stringValue()).isEqualTo("hf_…9Xyz");
      assertThat(token.get("sha256").stringValue()).isEqualTo(TokenFingerprint.sha256Prefix(TOKEN));
    }
    try (RunningSim none = RunningSim.start(RunningSim.config())) {
      HttpResponse<String> r =
          RunningSim.send(
              HttpRequest.newBuilder(URI.create(none.url("/debug/credentials"))).GET().build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"hf_token\":null}");
    }
  }
}
