package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.gateway.model.hub.StandInHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The data plane end to end: two gateway processes sharing one PostgreSQL and one Redis, engine
 * simulator processes registered as instances through the activator's Redis schema, and the
 * official OpenAI Java SDK as the client.
 */
class DataPlaneIT {

  private static final String ADMIN = "dp-admin-" + "x".repeat(24);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static GatewayFleet fleet;
  private static StandInHub hub;
  private static StandaloneProcess gw1;
  private static StandaloneProcess gw2;
  private static ApiClient api1;
  private static InstanceRegistry registry;
  private static String key;
  private static final Map<String, String> deploymentIds = new HashMap<>();
  private static final Map<String, SimProcess> sims = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    hub = StandInHub.start();
    hub.add(StandInHub.LLAMA_7B);
    fleet =
        GatewayFleet.start(
            tmp,
            ADMIN,
            Map.of(
                "ZEROSCALE_HUB_URL",
                hub.baseUrl().toString(),
                "ZEROSCALE_DEPLOYMENTS_SWEEP_INTERVAL",
                "2s"),
            // The instances here are published by the test (InstanceRegistry), not an activator;
            // held streams get their keep-alive comments after 300 ms instead of 15 s. A rate
            // limit check waits up to 5 s for Redis instead of 250 ms before failing open: on a
            // loaded machine a healthy Redis can take longer than 250 ms to answer, and the
            // rate-limit test would then see its request let through unchecked (200, not 429).
            // Only keys with limits call Redis there, and the outage test's key has none.
            List.of(
                "--zeroscale.activator.enabled=false",
                "--zeroscale.gateway.hold-keepalive=300ms",
                "--zeroscale.rate-limits.redis-timeout=5s"));
    gw1 = fleet.gw1;
    gw2 = fleet.gw2;
    api1 = new ApiClient(gw1.port);
    registry = new InstanceRegistry(fleet.redisPort);

    assertThat(api1.post("/admin/v1/tenants", ADMIN, "{\"name\":\"dp\",\"gpu_quota\":64}").status())
        .isEqualTo(201);
    key = fleet.tenantKey("dp", "[\"inference:*\",\"deployments:read\",\"deployments:write\"]");
    api1.importLlama7b(key, "llama7");

    deploy("chat", "llm", 8, 1000, "--inter-token-latency=50ms");
    deploy("embed", "embedding", 8, 1000);
    deploy("rank", "rerank", 8, 1000);
    deploy("img", "image", 8, 1000);
    deploy("whisper", "audio", 8, 1000);
    deploy("capped", "llm", 4, 1000, "--inter-token-latency=20ms");
    deploy("tiny", "llm", 1, 1, "--inter-token-latency=100ms");
    awaitFleetOfTwo();
  }

  /** A deployment through the API, a simulator for it, and its instance published in Redis. */
  private static void deploy(String name, String family, int batch, int maxQueued, String... flags)
      throws IOException {
    ApiClient.Response d =
        api1.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"family\":\""
                + family
                + "\",\"gpu\":\"A100-80GB\",\"max_batch_size\":"
                + batch
                + ",\"settings\":{\"min_instances\":0,\"max_instances\":1,\"max_queued_requests\":"
                + maxQueued
                + "}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    String id = d.json().get("id").asString();
    deploymentIds.put(name, id);
    List<String> all = new ArrayList<>(List.of("--family=" + family, "--max-num-seqs=64"));
    all.addAll(List.of(flags));
    // The gateway forwards the body unchanged, so the engine answers to both spellings.
    SimProcess sim =
        SimProcess.start(
            tmp.resolve("sims"), List.of(name, "dp/" + name), all.toArray(String[]::new));
    sims.put(name, sim);
    registry.publish(id, name + "-0", sim.url(), InstanceEndpoint.State.READY);
  }

  private static void awaitFleetOfTwo() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                gw1.output().contains("Gateway fleet: 2 live gateway(s)")
                    && gw2.output().contains("Gateway fleet: 2 live gateway(s)"));
  }

  @AfterAll
  static void stop() throws Exception {
    sims.values().forEach(SimProcess::close);
    if (registry != null) {
      registry.close();
    }
    if (fleet != null) {
      fleet.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  private static OpenAIClient sdk(StandaloneProcess gw, String apiKey) {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + gw.port + "/v1")
        .apiKey(apiKey)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  private static ChatCompletionCreateParams chat(String model, String prompt, int maxTokens) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage(prompt)
        .maxCompletionTokens(maxTokens)
        .build();
  }

  private static HttpResponse<String> post(
      StandaloneProcess gw, String path, String apiKey, String body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port + path))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(
      StandaloneProcess gw, String path, String body) {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port + path))
            .timeout(Duration.ofSeconds(120))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A streaming chat request for {@code model} with {@code maxTokens} tokens. */
  private static HttpRequest streamRequest(StandaloneProcess gw, String model, int maxTokens) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gw.port + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + key)
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\""
                    + model
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":"
                    + maxTokens
                    + ",\"stream\":true}"))
        .build();
  }

  private static JsonNode error(HttpResponse<String> r) {
    return ApiClient.JSON.readTree(r.body()).get("error");
  }

  /**
   * The simulator refuses a malformed body as vLLM does ({@code "type":"BadRequestError"}, {@code
   * "code":400}); the client gets it in OpenAI's shape, with the instance's status and message, and
   * the official SDK reads it.
   */
  @Test
  void anInstancesOwnErrorReachesTheClientInOpenAisShape() {
    HttpResponse<String> r =
        post(gw1, "/v1/chat/completions", key, "{\"model\":\"chat\",\"messages\":\"hi\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode e = error(r);
    assertThat(names(e)).containsExactly("message", "type", "param", "code");
    assertThat(e.get("message").asString()).isEqualTo("'messages' must be a non-empty array.");
    assertThat(e.get("type").asString()).isEqualTo("invalid_request_error");
    assertThat(e.get("code").isNull()).as("vLLM's numeric code is not OpenAI's").isTrue();
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body()).doesNotContain("BadRequestError");

    com.openai.errors.BadRequestException sdkError =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            com.openai.errors.BadRequestException.class,
            () ->
                sdk(gw1, key)
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("chat")
                            .addUserMessage("x")
                            // Sent instead of the SDK's own, well-formed messages.
                            .putAdditionalBodyProperty(
                                "messages", com.openai.core.JsonValue.from("hi"))
                            .build()));
    assertThat(sdkError).isNotNull();
    assertThat(sdkError.statusCode()).isEqualTo(400);
    assertThat(sdkError.type()).hasValue("invalid_request_error");
    assertThat(sdkError.code()).isEmpty();
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.propertyNames().forEach(out::add);
    return out;
  }

  @Test
  void chatAndCompletionsThroughTheOfficialSdk() {
    OpenAIClient client = sdk(gw1, key);
    ChatCompletion chat = client.chat().completions().create(chat("chat", "Hello", 4));
    assertThat(chat.model()).isEqualTo("chat");
    assertThat(chat.choices().getFirst().message().content())
        .hasValueSatisfying(c -> assertThat(c.split(" ")).hasSize(4));
    assertThat(chat.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(4));

    ChatCompletion byFullName = client.chat().completions().create(chat("dp/chat", "Hello", 4));
    assertThat(byFullName.choices().getFirst().message().content())
        .isEqualTo(chat.choices().getFirst().message().content());

    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        client
            .chat()
            .completions()
            .createStreaming(
                ChatCompletionCreateParams.builder()
                    .model("chat")
                    .addUserMessage("Tell me a story")
                    .maxCompletionTokens(5)
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      stream.stream().forEach(chunks::add);
    }
    long deltas =
        chunks.stream()
            .filter(c -> !c.choices().isEmpty())
            .filter(
                c -> c.choices().getFirst().delta().content().filter(s -> !s.isEmpty()).isPresent())
            .count();
    assertThat(deltas).isEqualTo(5);
    assertThat(
            chunks.stream()
                .anyMatch(
                    c ->
                        !c.choices().isEmpty()
                            && c.choices().getFirst().finishReason().isPresent()))
        .isTrue();
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(5));

    Completion completion =
        client
            .completions()
            .create(
                CompletionCreateParams.builder().model("chat").prompt("Once").maxTokens(3).build());
    assertThat(completion.choices().getFirst().text().split(" ")).hasSize(3);
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<Completion> stream =
        client
            .completions()
            .createStreaming(
                CompletionCreateParams.builder()
                    .model("chat")
                    .prompt("Once")
                    .maxTokens(3)
                    .build())) {
      stream.stream().forEach(c -> c.choices().forEach(ch -> streamed.append(ch.text())));
    }
    assertThat(streamed.toString()).isEqualTo(completion.choices().getFirst().text());

    // The same through /custom-model/v1 and the second gateway.
    OpenAIClient custom =
        OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + gw2.port + "/custom-model/v1")
            .apiKey(key)
            .maxRetries(0)
            .build();
    assertThat(
            custom
                .chat()
                .completions()
                .create(chat("chat", "Hello", 4))
                .choices()
                .getFirst()
                .message()
                .content())
        .isEqualTo(chat.choices().getFirst().message().content());
  }

  @Test
  void embeddingsRerankImagesAndAudio() throws Exception {
    OpenAIClient client = sdk(gw1, key);
    CreateEmbeddingResponse floats =
        client
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model("embed")
                    .input("the quick brown fox")
                    .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                    .build());
    CreateEmbeddingResponse base64 =
        client
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model("embed")
                    .input("the quick brown fox")
                    .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64)
                    .build());
    assertThat(floats.data().getFirst().embedding())
        .isNotEmpty()
        .isEqualTo(base64.data().getFirst().embedding());
    assertThat(base64.data().getFirst().embeddingValue().isBase64()).isTrue();

    HttpResponse<String> rerank =
        post(
            gw1,
            "/v1/rerank",
            key,
            "{\"model\":\"rank\",\"query\":\"red apple\",\"documents\":[\"a red apple\",\"blue sky\"],\"top_n\":1}");
    assertThat(rerank.statusCode()).as(rerank.body()).isEqualTo(200);
    JsonNode results = ApiClient.JSON.readTree(rerank.body()).get("results");
    assertThat(results).hasSize(1);
    assertThat(results.get(0).get("index").asInt()).isZero();

    ImagesResponse images =
        client
            .images()
            .generate(
                ImageGenerateParams.builder()
                    .model("img")
                    .prompt("a cat")
                    .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
                    .build());
    byte[] png =
        Base64.getDecoder().decode(images.data().orElseThrow().getFirst().b64Json().orElseThrow());
    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');

    // A file part with a filename, as every real upload has (vLLM rejects one without).
    Path audio =
        java.nio.file.Files.write(
            tmp.resolve("hello.wav"), "RIFF fake wav".getBytes(StandardCharsets.UTF_8));
    var transcription =
        client
            .audio()
            .transcriptions()
            .create(TranscriptionCreateParams.builder().model("whisper").file(audio).build());
    assertThat(transcription.transcription().orElseThrow().text()).isNotBlank();
  }

  @Test
  void everyErrorOfTheSpecInOpenAiShape() {
    assertThatThrownBy(
            () ->
                sdk(gw1, "zs-" + "Q".repeat(40))
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("chat")
                            .addUserMessage("x")
                            .build()))
        .isInstanceOf(UnauthorizedException.class);
    String chatOnly = fleet.tenantKey("dp", "[\"inference:chat\"]");
    assertThatThrownBy(
            () ->
                sdk(gw1, chatOnly)
                    .embeddings()
                    .create(EmbeddingCreateParams.builder().model("embed").input("x").build()))
        .isInstanceOf(PermissionDeniedException.class);
    assertThatThrownBy(
            () ->
                sdk(gw1, key)
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("nope")
                            .addUserMessage("x")
                            .build()))
        .isInstanceOfSatisfying(
            NotFoundException.class, e -> assertThat(e.getMessage()).contains("nope"));
    assertThatThrownBy(
            () ->
                sdk(gw1, key)
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("embed")
                            .addUserMessage("x")
                            .build()))
        .isInstanceOf(BadRequestException.class);

    assertThat(api1.post("/admin/v1/tenants", ADMIN, "{\"name\":\"dp-other\"}").status())
        .isEqualTo(201);
    String other = fleet.tenantKey("dp-other", "[\"inference:*\"]");
    HttpResponse<String> foreign =
        post(
            gw1,
            "/v1/chat/completions",
            other,
            "{\"model\":\"dp/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(error(foreign).get("code").asString()).isEqualTo("model_not_found");

    HttpResponse<String> badJson = post(gw1, "/v1/chat/completions", key, "{\"model\":\"chat\",");
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(error(badJson).get("type").asString()).isEqualTo("invalid_request_error");
    HttpResponse<String> noModel = post(gw1, "/v1/chat/completions", key, "{\"messages\":[]}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(error(noModel).get("param").asString()).isEqualTo("model");
    HttpResponse<String> tooLarge =
        post(
            gw1,
            "/v1/embeddings",
            key,
            "{\"model\":\"embed\",\"input\":\"" + "a".repeat(3 * 1024 * 1024) + "\"}");
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(error(tooLarge).get("code").asString()).isEqualTo("request_too_large");
    assertThat(post(gw1, "/v1/chat/completions", null, "{}").headers().firstValue("x-request-id"))
        .isPresent();
  }

  @Test
  void aFullQueueAnswers429WithRetryAfter() {
    // "tiny": one slot fleet-wide (so at most one per gateway) and one queued request per gateway.
    // The running request takes 100 tokens × 100 ms = 10 s, so the slot and the queue stay full
    // while the test checks them; the queued one is short, so it ends soon after.
    String slow =
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":100}";
    String quick =
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2}";
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    inFlight.add(postAsync(gw1, "/v1/chat/completions", slow));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> sims.get("tiny").metric("vllm:num_requests_running") >= 1);
    inFlight.add(postAsync(gw1, "/v1/chat/completions", quick));
    // The third request must find the queue full, so wait until gw1 says the second one is in it
    // (its demand, published every heartbeat): sent is not yet queued.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                registry.demand(deploymentIds.get("tiny")).stream()
                    .anyMatch(d -> d.contains("\"queued\":1,\"in_flight\":1,")));
    HttpResponse<String> refused = post(gw1, "/v1/chat/completions", key, slow);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    assertThat(error(refused).get("code").asString()).isEqualTo("queue_full");
    inFlight.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(200));
  }

  @Test
  void twoGatewaysNeverPutMoreThanMaxBatchSizeOnTheInstance() {
    // 50 tokens × 20 ms = 1 s a request, four at a time: the burst of 40 lasts 10 s, many demand
    // heartbeats (1 s), so a loaded machine still publishes a busy sample while it lasts.
    String body =
        "{\"model\":\"capped\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":50}";
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(postAsync(i % 2 == 0 ? gw1 : gw2, "/v1/chat/completions", body));
    }
    // Each gateway publishes its queued and in-flight figures for the autoscaler.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(registry.demand(deploymentIds.get("capped")))
                    .anySatisfy(
                        d ->
                            assertThat(d)
                                .contains("\"queued\":")
                                .doesNotContain("\"queued\":0,\"in_flight\":0")));
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    SimProcess sim = sims.get("capped");
    assertThat(sim.metric("sim:max_num_requests_running_seen"))
        .isLessThanOrEqualTo(4.0)
        .isGreaterThanOrEqualTo(2.0);
    assertThat(sim.metric("vllm:num_requests_waiting")).isZero();
  }

  @Test
  void sseEventsArriveAsTheInstanceSendsThemNotBunched() throws Exception {
    int tokens = 40;
    long itlMs = 50; // the "chat" instance's --inter-token-latency
    HttpRequest request = streamRequest(gw1, "chat", tokens);
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<Long> arrivals = new ArrayList<>();
    boolean done = false;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        // The content deltas: not the role chunk (its content is ""), the finish chunk or [DONE].
        if (line.startsWith("data: {")
            && line.contains("\"content\":\"")
            && !line.contains("\"role\"")) {
          arrivals.add(System.nanoTime());
        }
        done |= line.equals("data: [DONE]");
      }
    }
    assertThat(done).isTrue();
    assertThat(arrivals).hasSize(tokens);
    // Neither the instance nor the gateway stamps events with a time, so pacing is seen from this
    // client, through three processes on a loaded machine: a descheduled reader (or gateway)
    // finds several events waiting and reads them in a burst, and timers fire late, so gaps
    // between single events (a median, an upper bound) measure the machine, not the gateway.
    // The span cannot shrink that way: the instance's fixed-rate timer never emits the last token
    // before (n - 1) × ITL after the first is due, so events forwarded as they come span about
    // that much here, while a gateway buffering the response (or large parts of it) delivers
    // them all at once. Half of it means only a stall of ~1 s on the first event alone, in the
    // gateway or here, could fail a gateway that streams.
    long spanMs = (arrivals.getLast() - arrivals.getFirst()) / 1_000_000;
    assertThat(spanMs)
        .as("ms from the first to the last token event")
        .isGreaterThanOrEqualTo((tokens - 1) * itlMs / 2);
  }

  @Test
  void aClientDisconnectMidStreamFreesTheInstanceSlot() throws Exception {
    SimProcess sim = sims.get("chat");
    double cancelledBefore = sim.metric("sim:requests_cancelled_total");
    // 1000 tokens × 50 ms = 50 s: the stream cannot end by itself while the hang-up travels
    // through the gateway to the instance, so a freed slot means a cancelled request.
    HttpRequest request = streamRequest(gw2, "chat", 1000);
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    int events = 0;
    while (events < 3) {
      if (reader.readLine().startsWith("data: ")) {
        events++;
      }
    }
    // Awaited rather than read once: the instance may still be finishing the previous test's
    // request, its slot released a moment after the client had the response.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> sim.metric("vllm:num_requests_running") == 1.0);
    body.close();
    // The hang-up crosses three processes (client, gateway, instance); a wide bound costs nothing
    // when they are quick.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> sim.metric("vllm:num_requests_running") == 0.0);
    assertThat(sim.metric("sim:requests_cancelled_total")).isGreaterThan(cancelledBefore);
  }

  @Test
  void warmTrafficSurvivesARedisOutageAndStateResyncsAfter() throws Exception {
    OpenAIClient client = sdk(gw1, key);
    ChatCompletionCreateParams params = chat("chat", "hi", 2);
    assertThat(client.chat().completions().create(params).choices()).hasSize(1);
    fleet.stopRedis();
    try {
      for (int i = 0; i < 5; i++) {
        assertThat(client.chat().completions().create(params).choices()).hasSize(1);
        assertThat(sdk(gw2, key).chat().completions().create(params).choices()).hasSize(1);
      }
    } finally {
      fleet.startRedis();
    }
    // Both gateways' heartbeat loops survived the outage (slow ticks must not end them).
    // The test's own Redis client may still be reconnecting to the new Redis: its errors mean
    // "not yet", not a failure.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> registry.liveGateways() == 2);
    // Redis came back empty: the activator (here the registry) republishes its instances, the
    // control plane's sweeper republishes the deployments, and the gateways resync.
    sims.forEach(
        (name, sim) ->
            registry.publish(
                deploymentIds.get(name), name + "-0", sim.url(), InstanceEndpoint.State.READY));
    for (int i = 0; i < 5; i++) {
      assertThat(client.chat().completions().create(params).choices()).hasSize(1);
    }
    ApiClient.Response fresh =
        api1.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"after-outage\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\"}");
    assertThat(fresh.status()).as(fresh.body()).isEqualTo(201);
    SimProcess afterSim =
        SimProcess.start(tmp.resolve("sims"), List.of("after-outage"), "--family=llm");
    sims.put("after-outage", afterSim);
    deploymentIds.put("after-outage", fresh.json().get("id").asString());
    registry.publish(
        fresh.json().get("id").asString(),
        "after-outage-0",
        afterSim.url(),
        InstanceEndpoint.State.READY);
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              HttpResponse<String> r =
                  post(
                      gw2,
                      "/v1/chat/completions",
                      key,
                      "{\"model\":\"after-outage\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2}");
              assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            });
    awaitFleetOfTwo();
  }

  @Test
  void anInstanceDyingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
    SimProcess sim =
        SimProcess.start(
            tmp.resolve("sims"),
            List.of("fragile", "dp/fragile"),
            "--family=llm",
            "--inter-token-latency=100ms");
    ApiClient.Response d =
        api1.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"fragile\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\"}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    registry.publish(
        d.json().get("id").asString(), "fragile-0", sim.url(), InstanceEndpoint.State.READY);
    HttpRequest request = streamRequest(gw1, "fragile", 100);
    HttpResponse<InputStream> response =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream()),
                r -> r.statusCode() == 200);
    List<String> events = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events.add(line);
          if (events.size() == 3) {
            sim.process().destroyForcibly();
          }
        }
      }
    }
    assertThat(events.size()).isGreaterThan(3);
    assertThat(events.getLast()).contains("\"error\"").contains("upstream_stream_error");
  }

  @Test
  void aKeysRequestsPerMinuteLimitAnswers429WithRateLimitHeaders() {
    ApiClient.Response created =
        api1.post(
            "/admin/v1/tenants/dp/keys",
            ADMIN,
            "{\"name\":\"limited\",\"scopes\":[\"inference:*\"],\"requests_per_minute\":2}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String limited = created.json().get("secret").asString();
    String body = "{\"model\":\"embed\",\"input\":\"hi\"}";
    HttpResponse<String> first = post(gw1, "/v1/embeddings", limited, body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("2");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
    assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
    // The limit holds across gateways.
    assertThat(post(gw2, "/v1/embeddings", limited, body).statusCode()).isEqualTo(200);
    HttpResponse<String> third = post(gw1, "/v1/embeddings", limited, body);
    assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
    assertThat(third.headers().firstValue("retry-after"))
        .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
    assertThat(error(third).get("type").asString()).isEqualTo("rate_limit_error");
  }

  @Test
  void requestsAreMeteredWithLowCardinalityTags() throws Exception {
    sdk(gw1, key).chat().completions().create(chat("chat", "count me", 3));
    // The gateway records a request when its exchange ends, which may be a moment after the
    // client has the response: scrape until it is there.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              String metrics =
                  HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      "http://127.0.0.1:" + gw1.port + "/actuator/prometheus"))
                              // The metrics page needs the metrics or admin scope.
                              .header("Authorization", "Bearer " + ADMIN)
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body();
              assertThat(metrics)
                  .containsPattern(
                      "zeroscale_requests_total\\{[^}]*deployment=\"dp/chat\"[^}]*status=\"2xx\"");
              assertThat(metrics)
                  .containsPattern(
                      "zeroscale_tokens_completion_total\\{[^}]*deployment=\"dp/chat\"");
              assertThat(metrics).doesNotContain(key);
            });
  }

  @Test
  void aRequestWithNoInstanceIsHeldThenAnswers504AfterItsActivationTimeout() {
    ApiClient.Response d =
        api1.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"cold\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"activation_timeout_s\":10}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    awaitKnownByBothGateways("cold");
    long start = System.nanoTime();
    HttpResponse<String> r =
        post(
            gw1,
            "/v1/chat/completions",
            key,
            "{\"model\":\"cold\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
    assertThat(error(r).get("code").asString()).isEqualTo("activation_timeout");
    assertThat(error(r).get("type").asString()).isEqualTo("timeout_error");
    assertThat(waitedMs).as("held, not refused").isGreaterThanOrEqualTo(9_000);
  }

  @Test
  void theInstanceGetsTheSameBytesTheTraceAndTheRequestIdButNeverTheTenantKey() throws Exception {
    Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
    byte[][] seenBody = new byte[1][];
    com.sun.net.httpserver.HttpServer capture =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    capture.createContext(
        "/",
        exchange -> {
          exchange
              .getRequestHeaders()
              .forEach(
                  (k, v) -> seen.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
          seen.put(":path", exchange.getRequestURI().toString());
          seenBody[0] = exchange.getRequestBody().readAllBytes();
          byte[] answer =
              "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"probe\",\"choices\":[]}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    capture.start();
    try {
      ApiClient.Response d =
          api1.post(
              "/api/v1/deployments",
              key,
              "{\"model_name\":\"probe\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\"}");
      assertThat(d.status()).as(d.body()).isEqualTo(201);
      registry.publish(
          d.json().get("id").asString(),
          "probe-0",
          "http://127.0.0.1:" + capture.getAddress().getPort(),
          InstanceEndpoint.State.READY);
      // Unusual spacing and key order: the bytes must arrive exactly as sent.
      String body =
          "{ \"messages\" : [{\"role\":\"user\",\"content\":\"h\u00e9\"}],\n \"model\":\"dp/probe\" }";
      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:"
                          + gw1.port
                          + "/custom-model/v1/chat/completions?api-version=1"))
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + key)
              .header("x-request-id", "client-req-42")
              .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      HttpResponse<String> r =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()),
                  x -> x.statusCode() == 200);
      assertThat(r.headers().allValues("x-request-id")).containsExactly("client-req-42");
      assertThat(seenBody[0]).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
      assertThat(seen.get(":path")).isEqualTo("/v1/chat/completions?api-version=1");
      assertThat(seen).doesNotContainKey("authorization");
      assertThat(seen.values()).noneMatch(v -> v.contains(key));
      assertThat(seen.get("x-request-id")).isEqualTo("client-req-42");
      assertThat(seen.get("traceparent"))
          .startsWith("00-" + traceId + "-")
          .doesNotContain("00f067aa0ba902b7")
          .endsWith("-01");
    } finally {
      capture.stop(0);
    }
  }

  /** A deployment through the API with no instance: requests for it are held. */
  private static String coldDeployment(String name, String settings) {
    ApiClient.Response d =
        api1.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\",\"settings\":"
                + settings
                + "}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    awaitKnownByBothGateways(name);
    return d.json().get("id").asString();
  }

  /**
   * Gateways learn of a new deployment through Redis, a moment after the API answered. Probed
   * without side effects: an embeddings request for an llm deployment is refused (400) once the
   * gateway knows the name and before anything is held or woken, and is a 404 until then.
   */
  private static void awaitKnownByBothGateways(String name) {
    String probe = "{\"model\":\"" + name + "\",\"input\":\"x\"}";
    for (StandaloneProcess gw : List.of(gw1, gw2)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> post(gw, "/v1/embeddings", key, probe).statusCode() == 400);
    }
  }

  /**
   * What the activator will do: the deployment's row gets a status and a reason and a new version;
   * the control plane's sweeper (every 2 s here) publishes it to the gateways.
   */
  private static void setStatus(String id, String status, String reason) throws Exception {
    try (java.sql.Connection c = fleet.pg.getPostgresDatabase().getConnection();
        java.sql.PreparedStatement st =
            c.prepareStatement(
                "UPDATE deployments SET status = ?, reason = ?, version = version + 1"
                    + " WHERE id = ?::uuid")) {
      st.setString(1, status);
      st.setString(2, reason);
      st.setString(3, id);
      assertThat(st.executeUpdate()).isEqualTo(1);
    }
  }

  private static HttpResponse<InputStream> openStream(StandaloneProcess gw, String model) {
    try {
      return HTTP.send(streamRequest(gw, model, 3), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> lines(HttpResponse<InputStream> response) throws IOException {
    return lines(
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8)));
  }

  /** The non-blank lines left until the end of the stream. */
  private static List<String> lines(BufferedReader reader) throws IOException {
    List<String> out = new ArrayList<>();
    try (reader) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isEmpty()) {
          out.add(line);
        }
      }
    }
    return out;
  }

  @Test
  void aLongHeldStreamIsKeptAliveWithCommentsThenGetsTheInstancesEvents() throws Exception {
    String id = coldDeployment("sleepy", "{}");
    SimProcess sim =
        SimProcess.start(tmp.resolve("sims"), List.of("sleepy", "dp/sleepy"), "--family=llm");
    sims.put("sleepy", sim);
    deploymentIds.put("sleepy", id);
    // Answers once the gateway committed the response, after the first keep-alive (300 ms).
    HttpResponse<InputStream> response = openStream(gw1, "sleepy");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    assertThat(response.headers().firstValue("x-zeroscale-cold-start")).contains("true");
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    assertThat(reader.readLine()).isEqualTo(": waiting for instance");
    assertThat(reader.readLine()).isEmpty();
    assertThat(reader.readLine()).isEqualTo(": waiting for instance");
    registry.publish(id, "sleepy-0", sim.url(), InstanceEndpoint.State.READY);
    List<String> rest = lines(reader);
    List<String> events = rest.stream().filter(l -> l.startsWith("data: ")).toList();
    assertThat(rest).anyMatch(l -> l.startsWith(": instance ready after "));
    assertThat(events).hasSizeGreaterThan(3).last().isEqualTo("data: [DONE]");
    assertThat(events).noneMatch(l -> l.contains("\"error\""));
  }

  @Test
  void aShortColdStartAnswersAsUsualWithTheColdStartHeaders() throws Exception {
    String id = coldDeployment("brief", "{}");
    SimProcess sim =
        SimProcess.start(tmp.resolve("sims"), List.of("brief", "dp/brief"), "--family=llm");
    sims.put("brief", sim);
    deploymentIds.put("brief", id);
    CompletableFuture<HttpResponse<String>> held =
        postAsync(
            gw2,
            "/v1/chat/completions",
            "{\"model\":\"brief\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2}");
    // Demand is published at the 1 s heartbeat; a loaded machine may take several.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> registry.demand(id).stream().anyMatch(d -> d.contains("\"queued\":1")));
    registry.publish(id, "brief-0", sim.url(), InstanceEndpoint.State.READY);
    HttpResponse<String> r = held.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-zeroscale-cold-start")).contains("true");
    assertThat(r.headers().firstValue("x-zeroscale-cold-start-wait-ms"))
        .hasValueSatisfying(ms -> assertThat(Long.parseLong(ms)).isPositive());
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
  }

  @Test
  void aFailedDeploymentFailsItsHeldRequestsWith503AndItsReason() throws Exception {
    String id = coldDeployment("broken", "{}");
    HttpResponse<InputStream> stream = openStream(gw1, "broken");
    assertThat(stream.statusCode()).as("committed by the keep-alive").isEqualTo(200);
    String body = "{\"model\":\"broken\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    CompletableFuture<HttpResponse<String>> held = postAsync(gw2, "/v1/chat/completions", body);

    setStatus(id, "failed", "crash loop: exit code 1");
    HttpResponse<String> r = held.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(error(r).get("code").asString()).isEqualTo("deployment_failed");
    assertThat(error(r).get("message").asString())
        .isEqualTo("The model `dp/broken` failed to start: crash loop: exit code 1");
    List<String> events = lines(stream).stream().filter(l -> l.startsWith("data: ")).toList();
    assertThat(events)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .contains("\"code\":\"deployment_failed\"")
                    .contains("crash loop: exit code 1"));
    // New requests are refused at once, on both gateways, not held. Shown by state rather than a
    // stopwatch: a held stream is committed after the 300 ms keep-alive as a 200 event stream
    // with x-zeroscale-cold-start, while a refused one is a plain 503 (the refusal is decided as
    // the request subscribes to its queue, before any keep-alive can tick).
    HttpResponse<String> fresh = post(gw1, "/v1/chat/completions", key, body);
    assertThat(fresh.statusCode()).isEqualTo(503);
    assertThat(error(fresh).get("code").asString()).isEqualTo("deployment_failed");
    for (StandaloneProcess gw : List.of(gw1, gw2)) {
      HttpResponse<String> freshStream =
          HTTP.send(streamRequest(gw, "broken", 3), HttpResponse.BodyHandlers.ofString());
      assertThat(freshStream.statusCode()).as(freshStream.body()).isEqualTo(503);
      assertThat(freshStream.headers().firstValue("x-zeroscale-cold-start")).isEmpty();
      assertThat(error(freshStream).get("code").asString()).isEqualTo("deployment_failed");
    }
  }

  @Test
  void deletingADeploymentFailsItsHeldRequestsWith404() throws Exception {
    String id = coldDeployment("doomed", "{}");
    String body = "{\"model\":\"doomed\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    CompletableFuture<HttpResponse<String>> held = postAsync(gw1, "/v1/chat/completions", body);
    // Demand is published at the 1 s heartbeat; a loaded machine may take several.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> registry.demand(id).stream().anyMatch(d -> d.contains("\"queued\":1")));
    assertThat(api1.delete("/api/v1/deployments/" + id, key).status()).isEqualTo(202);
    HttpResponse<String> r = held.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(error(r).get("code").asString()).isEqualTo("model_not_found");
    assertThat(post(gw2, "/v1/chat/completions", key, body).statusCode()).isEqualTo(404);
  }
}
