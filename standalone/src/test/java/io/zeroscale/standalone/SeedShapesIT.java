package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue #20 on the built jar: the request shapes of the seed platforms' docs succeed as aliases of
 * ours. A bare {@code org/name} import (Together), {@code GET /api/v1/hardware} aliases and a
 * lower-case GPU name, DeepInfra's top-level {@code hf} and its {@code PUT} update, and Regolo's
 * trailing slash on both data-plane prefixes, answered by a real simulator instance.
 */
class SeedShapesIT {

  private static final String ADMIN = SharedStacks.ADMIN;
  private static final String REPO = "meta-llama/Llama-2-7b-hf";

  private static StandaloneStack stack;
  private static ApiClient api;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    // Shared with the other users of SharedStacks.INSTANCES; the tenant "seed" is this class's own.
    stack = SharedStacks.INSTANCES.acquire(SeedShapesIT.class).stack();
    api = stack.api;
    ApiClient.Response t =
        api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"seed\",\"gpu_quota\":8}");
    assertThat(t.status()).as(t.body()).isEqualTo(201);
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/seed/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:write\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    key = k.json().get("secret").asString();
  }

  /** Its deployments go (their instances with them); the stack stays for its other users. */
  @AfterAll
  static void stop() throws Exception {
    try {
      if (key != null) {
        for (String name : List.of("tg", "di")) {
          assertThat(api.delete("/api/v1/deployments/" + name, key).status())
              .as(name)
              .isIn(202, 404);
        }
      }
    } finally {
      SharedStacks.INSTANCES.release(SeedShapesIT.class);
    }
  }

  @Test
  void everySeedShapedRequestSucceeds() {
    // Together: a bare org/name source means hf://org/name.
    ApiClient.Response model =
        api.post("/api/v1/models", key, "{\"name\":\"bare\",\"source\":\"" + REPO + "\"}");
    assertThat(model.status()).as(model.body()).isEqualTo(202);
    assertThat(model.json().get("source").asString()).startsWith("hf://" + REPO + "@");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "ready"
                    .equals(api.get("/api/v1/models/bare", key).json().get("status").asString()));

    // Together's GPU names: listed as aliases, accepted in any case.
    JsonNode hardware = api.get("/api/v1/hardware", key).json();
    JsonNode h100 = null;
    for (JsonNode g : hardware.get("data")) {
      if ("H100-80GB".equals(g.get("gpu").asString())) {
        h100 = g;
      }
    }
    assertThat(h100).isNotNull();
    assertThat(h100.get("aliases").get(0).asString()).isEqualTo("h100");
    ApiClient.Response together =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"tg\",\"model\":\"" + REPO + "\",\"gpu\":\"h100\"}");
    assertThat(together.status()).as(together.body()).isEqualTo(201);
    assertThat(together.json().get("gpu").asString()).isEqualTo("H100-80GB");
    assertThat(together.json().get("source").asString()).startsWith("hf://" + REPO + "@");

    // DeepInfra: a top-level hf, and PUT with PATCH's meaning.
    ApiClient.Response deepinfra =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"di\",\"hf\":{\"repo\":\""
                + REPO
                + "\"},\"gpu\":\"A100\",\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(deepinfra.status()).as(deepinfra.body()).isEqualTo(201);
    assertThat(deepinfra.json().get("gpu").asString()).isEqualTo("A100-80GB");
    ApiClient.Response both =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"x\",\"model\":\"bare\",\"hf\":{\"repo\":\""
                + REPO
                + "\"},\"gpu\":\"a100\"}");
    assertThat(both.status()).as(both.body()).isEqualTo(422);
    assertThat(both.error().get("param").asString()).isEqualTo("hf");
    ApiClient.Response put =
        api.send(
            "PUT",
            "/api/v1/deployments/di",
            key,
            "{\"gpu\":\"a100\",\"settings\":{\"scale_to_zero_after_s\":120}}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode settings = api.get("/api/v1/deployments/di", key).json().get("settings");
    assertThat(settings.get("scale_to_zero_after_s").asInt()).isEqualTo(120);
    assertThat(settings.get("max_instances").asInt()).as("kept, as PATCH keeps it").isEqualTo(1);

    // Regolo: a trailing slash, on both prefixes; the first request wakes the deployment up.
    for (String path : List.of("/custom-model/v1/chat/completions/", "/v1/chat/completions/")) {
      ApiClient.Response chat =
          api.post(
              path,
              key,
              "{\"model\":\"di\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                  + "\"max_tokens\":3}");
      assertThat(chat.status()).as(path + ": " + chat.body()).isEqualTo(200);
      assertThat(chat.json().get("object").asString()).isEqualTo("chat.completion");
    }
    ApiClient.Response models = api.get("/custom-model/v1/models/", key);
    assertThat(models.status()).as(models.body()).isEqualTo(200);
    assertThat(models.json().get("data")).hasSize(2);
    ApiClient.Response one = api.get("/v1/models/di/", key);
    assertThat(one.status()).as(one.body()).isEqualTo(200);
    assertThat(one.json().get("id").asString()).isEqualTo("di");
  }
}
