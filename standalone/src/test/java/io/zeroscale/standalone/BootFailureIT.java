package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.gateway.model.hub.StandInHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The boot-failure path: every simulator exits during boot ({@code --crash-after-requests=0});
 * after three attempts with backoff the deployment is {@code failed} with the reason, and the
 * requests held for it answer 503 with that reason (a held stream gets it as an SSE error event).
 */
class BootFailureIT {

  private static final String ADMIN = "bf-admin-" + "x".repeat(24);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static StandInHub hub;
  private static StandaloneProcess app;
  private static ApiClient api;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    hub = StandInHub.start();
    hub.add(StandInHub.LLAMA_7B);
    app =
        StandaloneProcess.start(
            tmp.resolve("home"),
            Map.of("ZEROSCALE_ADMIN_KEY", ADMIN, "ZEROSCALE_HUB_URL", hub.baseUrl().toString()),
            List.of(
                "--zeroscale.runtime.process.sim.crash-after-requests=0",
                "--zeroscale.activator.backoff=200ms",
                "--zeroscale.demo.enabled=false"));
    app.awaitHealthy(Duration.ofSeconds(90));
    api = new ApiClient(app.port);
    assertThat(api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"bf\"}").status()).isEqualTo(201);
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/bf/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:read\",\"deployments:write\"]}");
    key = k.json().get("secret").asString();
    assertThat(
            api.post(
                    "/api/v1/models",
                    key,
                    "{\"name\":\"llama7\",\"source\":\"hf://meta-llama/Llama-2-7b-hf\"}")
                .status())
        .isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                "ready"
                    .equals(api.get("/api/v1/models/llama7", key).json().get("status").asString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      assertThat(app.terminate(Duration.ofSeconds(60))).isIn(0, 143);
    }
    if (hub != null) {
      hub.close();
    }
  }

  @Test
  void heldRequestsFailWithTheReasonAndTheStatusSaysWhy() throws Exception {
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"crashy\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"max_batch_size\":4,\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);

    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(HTTP.sendAsync(chat("crashy", i == 0), HttpResponse.BodyHandlers.ofString()));
    }
    HttpResponse<String> stream = held.getFirst().get();
    for (CompletableFuture<HttpResponse<String>> f : held.subList(1, held.size())) {
      HttpResponse<String> r = f.get();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("\"code\":\"deployment_failed\"").contains("exited with code");
    }
    // The stream may have been committed for keep-alive comments; either way it says why.
    assertThat(stream.body()).contains("deployment_failed").contains("exited with code");

    JsonNode status = api.get("/api/v1/deployments/crashy", key).json();
    assertThat(status.get("status").asString()).isEqualTo("failed");
    assertThat(status.get("reason").asString())
        .contains("failed to start 3 time(s) in a row")
        .contains("exited with code 1");
    assertThat(status.get("instances").get("ready").asInt()).isZero();

    // Within the failure cool-down a new request is refused at once, and nothing boots.
    HttpResponse<String> again =
        HTTP.send(chat("crashy", false), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(503);
    // Nothing boots: no instance shows up for several activator ticks (1 s each; the wake-up of
    // the request above is handled within one), once the failed ones are cleaned up. Checked at
    // once, an absence would prove nothing on a machine slow to react.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(stateFiles()).isEmpty();
              assertThat(app.output())
                  .contains("failed to boot (3 of 3)")
                  .doesNotContain("failed to boot (4 of")
                  .doesNotContain("Retrying failed deployment");
            });
  }

  private static HttpRequest chat(String model, boolean stream) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.port + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60))
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\""
                    + model
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":"
                    + stream
                    + "}"))
        .build();
  }

  private static List<String> stateFiles() throws Exception {
    Path dir = tmp.resolve("home").resolve("instances");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).toList();
    }
  }
}
