package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue #18, what a tenant sees of its own deployment, on the built jar: the metrics series count
 * exactly the requests answered for the deployment by status class (requests refused before a
 * deployment is resolved, e.g. an unknown model, belong to no deployment and are not counted); the
 * instance list shows {@code processing} while a long stream runs and {@code idle} after; the logs
 * are the simulator's own lines with a token-like model name blanked; another tenant's key gets 404
 * on all three endpoints.
 */
class TenantObservabilityIT {

  private static final String ADMIN = SharedStacks.ADMIN;

  /** A model name that looks like a Zeroscale key: the simulator prints it when it starts. */
  private static final String PLANTED = "zs-plantedSecret0123456789";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static StandaloneStack stack;
  private static ApiClient api;
  private static String keyA;
  private static String keyB;
  private static String dep;
  private static String instanceId;

  @BeforeAll
  static void start() throws Exception {
    // Shared with the other users of SharedStacks.INSTANCES (50 ms between tokens, series flushed
    // every second); the tenants obs-a and obs-b are this class's own. Its deployment has
    // min_instances = max_instances = 1, so the autoscaler there never changes its instance.
    stack = SharedStacks.INSTANCES.acquire(TenantObservabilityIT.class).stack();
    api = stack.api;
    String scopes = "[\"inference:*\",\"deployments:read\",\"deployments:write\"]";
    keyA = api.tenantWithKey(ADMIN, "obs-a", scopes);
    keyB = api.tenantWithKey(ADMIN, "obs-b", scopes);
    api.importLlama7b(keyA, "llama7");
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            keyA,
            "{\"model_name\":\""
                + PLANTED
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":1,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    dep = d.json().get("id").asString();
    instanceId = stack.readyEndpoint(dep).get("id").asString();
  }

  /** Its deployment goes (its instance with it); the stack stays for its other users. */
  @AfterAll
  static void stop() throws Exception {
    try {
      if (dep != null) {
        assertThat(api.delete("/api/v1/deployments/" + dep, keyA).status()).isEqualTo(202);
      }
    } finally {
      SharedStacks.INSTANCES.release(TenantObservabilityIT.class);
    }
  }

  @Test
  void aTenantSeesItsOwnDeploymentsRequestsInstancesAndLogs() throws Exception {
    // 4 answered 200 (one a stream), 2 refused by the engine (max_tokens over its context: 400)
    for (int i = 0; i < 3; i++) {
      assertThat(chat(3, false).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> streamed = chat(3, true);
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.body()).contains("data: [DONE]");
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> bad = chat(100_000_000, false);
      assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    }
    // an unknown model: refused before any deployment is resolved, counted nowhere here
    assertThat(send(request("no-such-model", 3, false)).statusCode()).isEqualTo(404);

    // a long stream (100 tokens at 50 ms): the instance is processing while it runs
    CompletableFuture<HttpResponse<String>> longStream =
        HTTP.sendAsync(request(PLANTED, 100, true), HttpResponse.BodyHandlers.ofString());
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "processing".equals(instance().path("state").asString()));
    assertThat(instance().path("requests_in_flight").asInt()).isPositive();
    assertThat(longStream.get().statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "idle".equals(instance().path("state").asString()));
    JsonNode i = instance();
    assertThat(i.path("gpu").asString()).isEqualTo("A100-80GB");
    assertThat(i.path("revision").asInt()).isEqualTo(1);
    assertThat(i.path("started_at").asString()).isNotEmpty();
    assertThat(i.path("requests_in_flight").asInt()).isZero();
    assertThat(i.get("last_failure").isNull()).isTrue();

    // the series: exactly 5 × 2xx (with the long stream) and 2 × 4xx, once flushed
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> sums(metrics("")).equals(List.of(5L, 2L, 0L, 0L)));
    JsonNode m = metrics("?step=300");
    assertThat(m.path("step").asInt()).isEqualTo(300);
    assertThat(m.path("points").size()).isBetween(12, 13);
    assertThat(sums(m)).containsExactly(5L, 2L, 0L, 0L);
    long tokensOut = 0;
    boolean latency = false;
    boolean ttft = false;
    boolean ready = false;
    for (JsonNode p : m.path("points")) {
      tokensOut += p.path("tokens_out").asLong();
      latency |= p.path("latency_ms").path("p95").isNumber();
      ttft |= p.path("ttft_ms").path("p50").isNumber();
      ready |= p.path("instances").path("ready").asInt() == 1;
    }
    // the engine reports usage in every non-stream answer (3 × 3 tokens); streams report it
    // only when the client asks (stream_options.include_usage), which these do not
    assertThat(tokensOut).isEqualTo(3 * 3);
    assertThat(latency).isTrue();
    assertThat(ttft).isTrue();
    assertThat(ready).isTrue();
    assertThat(m.path("latency_buckets_ms").size()).isEqualTo(15);

    ApiClient.Response badStep = api.get("/api/v1/deployments/" + dep + "/metrics?step=90", keyA);
    assertThat(badStep.status()).isEqualTo(422);
    assertThat(badStep.error().path("param").asString()).isEqualTo("step");

    // logs: the simulator's own lines, the token-like model name blanked
    ApiClient.Response logs = api.get(logsPath(instanceId) + "?tail=50", keyA);
    assertThat(logs.status()).as(logs.body()).isEqualTo(200);
    List<String> lines = new ArrayList<>();
    logs.json().path("lines").forEach(l -> lines.add(l.asString()));
    assertThat(lines).anyMatch(l -> l.startsWith("engine-sim listening on"));
    assertThat(lines).anyMatch(l -> l.contains("[REDACTED]"));
    assertThat(lines).noneMatch(l -> l.contains(PLANTED));
    assertThat(lines.size()).isLessThanOrEqualTo(50);
    ApiClient.Response badTail = api.get(logsPath(instanceId) + "?tail=0", keyA);
    assertThat(badTail.status()).isEqualTo(422);
    assertThat(badTail.error().path("param").asString()).isEqualTo("tail");
    assertThat(api.get(logsPath("not-an-instance"), keyA).status()).isEqualTo(404);

    // another tenant: 404 on all three, its series and instances never shown
    for (String path :
        List.of(
            "/api/v1/deployments/" + dep + "/metrics",
            "/api/v1/deployments/" + dep + "/instances",
            logsPath(instanceId))) {
      ApiClient.Response other = api.get(path, keyB);
      assertThat(other.status()).as(path).isEqualTo(404);
      assertThat(other.body()).doesNotContain(instanceId);
    }
  }

  private static String logsPath(String iid) {
    return "/api/v1/deployments/" + dep + "/instances/" + iid + "/logs";
  }

  private static JsonNode instance() {
    ApiClient.Response r = api.get("/api/v1/deployments/" + dep + "/instances", keyA);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    for (JsonNode n : r.json().path("data")) {
      if (n.path("id").asString().equals(instanceId)) {
        return n;
      }
    }
    throw new AssertionError("instance " + instanceId + " not listed: " + r.body());
  }

  private static JsonNode metrics(String query) {
    ApiClient.Response r = api.get("/api/v1/deployments/" + dep + "/metrics" + query, keyA);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  /** 2xx, 4xx, 5xx, other summed over the points. */
  private static List<Long> sums(JsonNode metrics) {
    long[] s = new long[4];
    for (JsonNode p : metrics.path("points")) {
      JsonNode r = p.path("requests");
      s[0] += r.path("2xx").asLong();
      s[1] += r.path("4xx").asLong();
      s[2] += r.path("5xx").asLong();
      s[3] += r.path("other").asLong();
    }
    return List.of(s[0], s[1], s[2], s[3]);
  }

  private static HttpResponse<String> chat(int maxTokens, boolean stream) throws Exception {
    return send(request(PLANTED, maxTokens, stream));
  }

  private static HttpRequest request(String model, int maxTokens, boolean stream) {
    String body =
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":"
            + maxTokens
            + ",\"stream\":"
            + stream
            + "}";
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + stack.app.port + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + keyA)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(90))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> send(HttpRequest r) throws Exception {
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }
}
