package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.zeroscale.api.RedisSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Scale from zero end to end: the standalone app with its activator and process runtime starting
 * real simulator processes (boot 3 s), PostgreSQL and Redis started here so that the test can read
 * the lifecycle events and set desired replicas as the autoscaler will, and the official OpenAI SDK
 * as the client.
 */
class ScaleFromZeroIT {

  private static final String ADMIN = "sfz-admin-" + "x".repeat(24);
  private static final Duration BOOT = Duration.ofSeconds(3);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static StandaloneStack stack;
  private static EmbeddedPostgres pg;
  private static StandaloneProcess app;
  private static ApiClient api;
  private static RedissonClient redis;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                "--zeroscale.runtime.process.sim.startup-duration=" + BOOT.toMillis() + "ms",
                "--zeroscale.runtime.process.sim.inter-token-latency=50ms",
                "--zeroscale.activator.drain-settle=500ms",
                // This test plays the autoscaler (it sets desired replicas itself).
                "--zeroscale.autoscaler.enabled=false"));
    app = stack.app;
    api = stack.api;
    pg = stack.pg;
    redis = stack.redis;

    assertThat(api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"sfz\",\"gpu_quota\":64}").status())
        .isEqualTo(201);
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/sfz/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:read\",\"deployments:write\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    key = k.json().get("secret").asString();
    api.importLlama7b(key, "llama7");
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      // SIGTERM stops every instance it started.
      stack.close();
      assertThat(simulatorsAlive()).as("simulators left after SIGTERM").isEmpty();
    }
  }

  private static String deploy(String name, int batch, int maxInstances) {
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\",\"max_batch_size\":"
                + batch
                + ",\"settings\":{\"min_instances\":0,\"max_instances\":"
                + maxInstances
                + "}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    assertThat(d.json().get("status").asString()).isEqualTo("scaled_to_zero");
    awaitKnownByTheGateway(name);
    return d.json().get("id").asString();
  }

  /**
   * The gateway learns of a new deployment through Redis, a moment after the API answered: a
   * request sent before then is a 404. Probed without side effects: an embeddings request for an
   * llm deployment is refused (400) once the gateway knows the name, before anything is held or
   * woken, and is a 404 until then.
   */
  private static void awaitKnownByTheGateway(String name) {
    String probe = "{\"model\":\"" + name + "\",\"input\":\"x\"}";
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> api.post("/v1/embeddings", key, probe).status() == 400);
  }

  private static OpenAIClient sdk() {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + app.port + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  private static ChatCompletionCreateParams chat(String model, int maxTokens) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage("hello from a cold start")
        .maxCompletionTokens(maxTokens)
        .build();
  }

  @Test
  void theFirstRequestWaitsForTheBootAndSucceedsStreamingOrNot() throws Exception {
    deploy("cold", 4, 1);
    long t0 = System.nanoTime();
    HttpResponseFor<ChatCompletion> first =
        sdk().chat().completions().withRawResponse().create(chat("cold", 4));
    long firstMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().values("x-zeroscale-cold-start")).containsExactly("true");
    long waited =
        Long.parseLong(first.headers().values("x-zeroscale-cold-start-wait-ms").getFirst());
    assertThat(first.parse().choices()).hasSize(1);
    // The wait is the instance's boot (3 s plus its JVM's start), never less. No upper bound: on a
    // noisy machine it says nothing, and the overhead is what the benchmark (loadtest/) measures.
    assertThat(waited).isGreaterThanOrEqualTo(BOOT.toMillis());
    System.out.printf(
        "cold start (non-stream): first response after %d ms, held %d ms, simulator boot %d ms%n",
        firstMs, waited, BOOT.toMillis());

    // Warm now: no cold-start header.
    HttpResponseFor<ChatCompletion> warm =
        sdk().chat().completions().withRawResponse().create(chat("cold", 2));
    assertThat(warm.headers().values("x-zeroscale-cold-start")).isEmpty();

    deploy("cold-stream", 4, 1);
    long t1 = System.nanoTime();
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> streamed =
        sdk().chat().completions().withRawResponse().createStreaming(chat("cold-stream", 5));
    assertThat(streamed.headers().values("x-zeroscale-cold-start")).containsExactly("true");
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> chunks = streamed.parse()) {
      chunks.stream()
          .forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    long streamMs = (System.nanoTime() - t1) / 1_000_000;
    assertThat(text.toString()).isNotBlank();
    System.out.printf("cold start (stream): complete after %d ms%n", streamMs);

    // The activator reports the status in its own pass, not necessarily before the first answer.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode status = api.get("/api/v1/deployments/cold", key).json();
              assertThat(status.get("status").asString()).isEqualTo("running");
              assertThat(status.get("instances").get("ready").asInt()).isEqualTo(1);
              assertThat(status.get("instances").get("desired").asInt()).isEqualTo(1);
            });
  }

  @Test
  void aBurstDuringBootIsServedWithinMaxBatchSize() throws Exception {
    String id = deploy("burst", 4, 1);
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(
          HTTP.sendAsync(
              chatRequest("burst", 3, i % 2 == 0), HttpResponse.BodyHandlers.ofString()));
    }
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get();
      statuses.add(r.statusCode());
      if (r.statusCode() == 200) {
        assertThat(r.headers().firstValue("x-zeroscale-cold-start")).contains("true");
      }
    }
    assertThat(statuses).as("every request of the burst").containsOnly(200);
    String url = instanceUrls(id).getFirst();
    assertThat(instanceUrls(id)).as("one instance for max_instances 1").hasSize(1);
    HttpResponse<String> metrics =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    double seen = metric(metrics.body(), "sim:max_num_requests_running_seen");
    assertThat(seen).as("concurrent requests the instance ever saw").isLessThanOrEqualTo(4);
    assertThat(seen).isGreaterThan(0);
  }

  @Test
  void scaleDownUnderStreamingLoadCutsNoStream() throws Exception {
    String id = deploy("drain", 8, 1);
    // Wake it and wait until it serves.
    assertThat(send(chatRequest("drain", 1, false)).statusCode()).isEqualTo(200);
    String url = instanceUrls(id).getFirst();
    // Long streams: 100 tokens at 50 ms is 5 s each, so that all six are still streaming when the
    // scale-down begins even if the machine spreads their arrival.
    List<CompletableFuture<List<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      streams.add(
          HTTP.sendAsync(chatRequest("drain", 100, true), HttpResponse.BodyHandlers.ofInputStream())
              .thenApply(r -> lines(r.body())));
    }
    // All six on the instance before desired goes to 0: one still in the gateway then would find
    // no ready instance and wake the deployment again (nothing plays the autoscaler here to undo
    // it), and the deployment would never reach scaled_to_zero.
    await().atMost(Duration.ofSeconds(60)).until(() -> inFlightOn(url) == streams.size());
    setDesired(id, 0);
    for (CompletableFuture<List<String>> s : streams) {
      List<String> events = s.get();
      assertThat(events)
          .as("a stream in flight when the scale-down began")
          .contains("data: [DONE]");
      assertThat(String.join("\n", events)).doesNotContain("\"error\"");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode d = api.get("/api/v1/deployments/drain", key).json();
              assertThat(d.get("status").asString()).isEqualTo("scaled_to_zero");
              assertThat(d.get("instances").get("ready").asInt()).isZero();
              assertThat(d.get("instances").get("draining").asInt()).isZero();
            });
    assertThat(instanceUrls(id)).isEmpty();
    // The activator writes lifecycle events at the end of its pass, after it publishes the state
    // read above: wait for them.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(eventTypes(id))
                    .containsSubsequence("scheduled", "ready", "draining", "stopped"));
  }

  @Test
  void deletingADeploymentDrainsItsInstanceWithoutCuttingAStream() throws Exception {
    String id = deploy("doomed", 8, 1);
    assertThat(send(chatRequest("doomed", 1, false)).statusCode()).isEqualTo(200);
    String url = instanceUrls(id).getFirst();
    // 100 tokens at 50 ms is 5 s: still streaming when the delete begins, even on a slow machine.
    CompletableFuture<List<String>> stream =
        HTTP.sendAsync(chatRequest("doomed", 100, true), HttpResponse.BodyHandlers.ofInputStream())
            .thenApply(r -> lines(r.body()));
    await().atMost(Duration.ofSeconds(60)).until(() -> inFlightOn(url) > 0);
    assertThat(api.delete("/api/v1/deployments/doomed", key).status()).isEqualTo(202);
    assertThat(stream.get()).contains("data: [DONE]");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> api.get("/api/v1/deployments/doomed", key).status() == 404);
    // The state file goes and the STOPPED event is written (at the end of the activator's pass)
    // in their own time, possibly after the 404 above: wait for both.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(simulatorStateFiles()).noneMatch(f -> f.contains(id.substring(0, 8)));
              assertThat(eventTypes(id)).contains("stopped");
            });
  }

  // --- helpers ---

  private static HttpRequest chatRequest(String model, int maxTokens, boolean stream) {
    String body =
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":"
            + maxTokens
            + ",\"stream\":"
            + stream
            + "}";
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.port + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(90))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> send(HttpRequest r) throws Exception {
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> lines(InputStream in) {
    List<String> out = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(line);
        }
      }
    } catch (IOException e) {
      out.add("io error: " + e);
    }
    return out;
  }

  /** URLs of the deployment's published instances (ready or draining). */
  private static List<String> instanceUrls(String deploymentId) throws IOException {
    rememberSimulators();
    List<String> urls = new ArrayList<>();
    for (String text :
        redis
            .<String, String>getMap(RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
            .readAllValues()) {
      urls.add(JSON.readTree(text).get("url").asString());
    }
    return urls;
  }

  private static int inFlightOn(String url) throws Exception {
    String page =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return (int) metric(page, "vllm:num_requests_running");
  }

  private static double metric(String page, String name) {
    for (String line : page.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        String[] parts = line.split("\\s+");
        return Double.parseDouble(parts[parts.length - 1]);
      }
    }
    throw new AssertionError("no " + name + " in\n" + page);
  }

  /** Sets desired replicas as the autoscaler does. */
  private static void setDesired(String deploymentId, int replicas) {
    redis
        .<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE)
        .fastPut(
            deploymentId,
            "{\"replicas\":"
                + replicas
                + ",\"reason\":\"test\",\"at\":"
                + System.currentTimeMillis()
                + "}");
  }

  private static List<String> eventTypes(String deploymentId) throws Exception {
    try (var c = pg.getPostgresDatabase().getConnection();
        var st =
            c.prepareStatement(
                "SELECT type FROM instance_events WHERE deployment_id = ?::uuid"
                    + " ORDER BY occurred_at, recorded_at")) {
      st.setString(1, deploymentId);
      List<String> out = new ArrayList<>();
      try (var rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static List<String> simulatorStateFiles() throws IOException {
    Path dir = tmp.resolve("home").resolve("instances");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).toList();
    }
  }

  /** Pids of every simulator this app started (from its state files), seen so far. */
  private static final java.util.Set<Long> SIM_PIDS =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static void rememberSimulators() throws IOException {
    Path dir = tmp.resolve("home").resolve("instances");
    for (String f : simulatorStateFiles()) {
      try {
        SIM_PIDS.add(JSON.readTree(Files.readString(dir.resolve(f))).get("pid").asLong());
      } catch (IOException | RuntimeException e) {
        // a file removed meanwhile: its instance stopped
      }
    }
  }

  /** Simulators this app started that still run. */
  static List<Long> simulatorsAlive() {
    return SIM_PIDS.stream()
        .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .toList();
  }
}
