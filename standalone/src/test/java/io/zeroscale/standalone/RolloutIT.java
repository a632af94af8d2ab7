package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;

/**
 * Rollouts (issue #19) on the built jar: a live deployment changes GPU type and engine options
 * under steady streaming load with no failed request and no cut stream; a revision whose instances
 * cannot boot leaves the old revision serving, is {@code failed}, and a rollback cleans up; a
 * deployment at zero with held cold requests, and one the autoscaler is scaling up, roll out with
 * no failed request either.
 *
 * <p>The stand-in hub knows {@code acme/broken-7b}, which the simulators refuse to boot ({@code
 * --fail-boot-for-models=acme/broken*}): the failing revision is a model that does not load.
 */
class RolloutIT {

  private static final String ADMIN = "ro-admin-" + "x".repeat(24);
  private static final String BROKEN_REPO = "acme/broken-7b";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static StandaloneStack stack;
  private static ApiClient api;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                "--zeroscale.runtime.process.sim.startup-duration=1s",
                "--zeroscale.runtime.process.sim.inter-token-latency=20ms",
                "--zeroscale.runtime.process.sim.fail-boot-for-models=acme/broken*",
                "--zeroscale.activator.backoff=200ms",
                "--zeroscale.activator.drain-settle=300ms",
                "--zeroscale.autoscaler.tick=500ms",
                "--zeroscale.autoscaler.panic-window=2s",
                "--zeroscale.demo.enabled=false"));
    stack.hub.addSafetensorsRepo(BROKEN_REPO, "main", "LlamaForCausalLM", 13_476_839_424L, 2, true);
    api = stack.api;
    key =
        api.tenantWithKey(
            ADMIN,
            "ro",
            "[\"inference:*\",\"deployments:read\",\"deployments:write\",\"usage:read\"]");
    api.importLlama7b(key, "llama7");
    ApiClient.Response broken =
        api.post(
            "/api/v1/models", key, "{\"name\":\"broken\",\"source\":\"hf://" + BROKEN_REPO + "\"}");
    assertThat(broken.status()).as(broken.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "ready"
                    .equals(api.get("/api/v1/models/broken", key).json().get("status").asString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aNewGpuAndEngineRollOutUnderStreamingLoadWithNoFailedRequest() throws Exception {
    String id = deploy("roll", "A100-80GB", 2, 2);
    awaitReady(id, 2);
    Set<String> oldInstances = readyInstanceIds(id);

    try (Load load = Load.start("roll", 4)) {
      load.awaitCompleted(8);
      ApiClient.Response patch =
          api.patch(
              "/api/v1/deployments/" + id,
              key,
              "{\"gpu\":\"H100-80GB\",\"engine\":{\"max_model_len\":4096,"
                  + "\"enable_prefix_caching\":true,\"dtype\":\"bfloat16\"}}");
      assertThat(patch.status()).as(patch.body()).isEqualTo(200);
      assertThat(patch.json().get("revision").asInt()).isEqualTo(2);

      awaitRevisionStatus(id, 2, "active");
      int before = load.completed();
      load.awaitCompleted(before + 8);
      load.stop();
      System.out.printf(
          "RolloutIT: %d requests during the rollout, %d streams ended with [DONE]%n",
          load.completed(), load.streamsDone());
      assertThat(load.failures()).as("failed requests or cut streams").isEmpty();
      assertThat(load.streamsDone()).isPositive();
    }

    JsonNode d = api.get("/api/v1/deployments/" + id, key).json();
    assertThat(d.get("revision").asInt()).isEqualTo(2);
    assertThat(d.get("gpu").asString()).isEqualTo("H100-80GB");
    assertThat(d.path("rollout").isMissingNode() || d.path("rollout").isNull()).isTrue();
    JsonNode revisions = api.get("/api/v1/deployments/" + id + "/revisions", key).json();
    assertThat(revisions.get("data").get(0).get("revision").asInt()).isEqualTo(2);
    assertThat(revisions.get("data").get(0).get("status").asString()).isEqualTo("active");
    assertThat(revisions.get("data").get(1).get("status").asString()).isEqualTo("superseded");

    // Every ready instance is a new one and was started with the new flags.
    awaitReady(id, 2);
    Map<String, String> endpoints = endpoints(id);
    assertThat(endpoints).hasSize(2);
    for (String v : endpoints.values()) {
      JsonNode e = ApiClient.JSON.readTree(v);
      assertThat(oldInstances).doesNotContain(e.get("id").asString());
      assertThat(e.get("revision").asInt()).isEqualTo(2);
      JsonNode engine = debugEngine(e).get("engine");
      assertThat(engine.get("max_model_len").asInt()).isEqualTo(4096);
      assertThat(engine.get("enable_prefix_caching").asBoolean()).isTrue();
      assertThat(engine.get("dtype").asString()).isEqualTo("bfloat16");
    }

    // The old instances drained, then stopped; the new ones hold H100s.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<JsonNode> events = instanceEvents(id);
              for (String old : oldInstances) {
                List<String> types = new ArrayList<>();
                for (JsonNode e : events.reversed()) {
                  if (old.equals(e.get("instance_id").asString())) {
                    types.add(e.get("type").asString());
                  }
                }
                assertThat(types).as("events of " + old).containsSubsequence("draining", "stopped");
              }
              assertThat(events)
                  .anySatisfy(
                      e -> {
                        assertThat(e.get("revision").asInt()).isEqualTo(2);
                        assertThat(e.get("type").asString()).isEqualTo("ready");
                        assertThat(e.get("gpu").asString()).isEqualTo("H100-80GB");
                      });
            });

    // The invoice bills each instance at its own GPU type.
    String period = YearMonth.now(ZoneOffset.UTC).toString();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Set<String> gpus = new HashSet<>();
              JsonNode inv =
                  api.get("/api/v1/invoices?period=" + period, key).json().get("data").get(0);
              for (JsonNode l : inv.get("lines")) {
                if ("roll".equals(l.path("deployment").asString())) {
                  gpus.add(l.get("gpu").asString());
                }
              }
              assertThat(gpus).contains("A100-80GB", "H100-80GB");
            });
    delete(id);
  }

  @Test
  void aRevisionThatCannotBootIsFailedWhileTheOldOneServesAndARollbackCleansUp() throws Exception {
    String id = deploy("steady", "A100-80GB", 1, 1);
    awaitReady(id, 1);
    Set<String> serving = readyInstanceIds(id);

    try (Load load = Load.start("steady", 2)) {
      load.awaitCompleted(4);
      ApiClient.Response patch =
          api.patch("/api/v1/deployments/" + id, key, "{\"model\":\"broken\"}");
      assertThat(patch.status()).as(patch.body()).isEqualTo(200);
      assertThat(patch.json().get("revision").asInt()).isEqualTo(2);

      awaitRevisionStatus(id, 2, "failed");
      JsonNode d = api.get("/api/v1/deployments/" + id, key).json();
      assertThat(d.get("status").asString()).isEqualTo("running");
      assertThat(d.get("revision").asInt()).isEqualTo(1);
      assertThat(d.get("reason").asString()).contains("revision 2 failed");
      JsonNode failed = revision(id, 2);
      assertThat(failed.get("reason").asString()).isNotBlank();

      int before = load.completed();
      load.awaitCompleted(before + 4);
      load.stop();
      assertThat(load.failures()).as("failed requests while revision 2 failed").isEmpty();
    }
    // The instance that served all along still does.
    assertThat(readyInstanceIds(id)).isEqualTo(serving);

    ApiClient.Response rollback = api.post("/api/v1/deployments/" + id + "/rollback", key, null);
    assertThat(rollback.status()).as(rollback.body()).isIn(200, 202);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode d = api.get("/api/v1/deployments/" + id, key).json();
              assertThat(d.get("revision").asInt()).isEqualTo(3);
              assertThat(d.get("status").asString()).isEqualTo("running");
              assertThat(d.get("reason").isNull()).as(d.toString()).isTrue();
              assertThat(revision(id, 3).get("status").asString()).isEqualTo("active");
              assertThat(revision(id, 3).get("source").asString())
                  .isEqualTo(revision(id, 1).get("source").asString());
            });
    assertThat(chat("steady", false).statusCode()).isEqualTo(200);
    delete(id);
  }

  @Test
  void aDeploymentAtZeroSwitchesWhileColdRequestsAreHeld() throws Exception {
    String id = deploy("cold", "A100-80GB", 0, 1);
    List<Thread> held = new ArrayList<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 3; i++) {
      boolean stream = i % 2 == 0;
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    Outcome o = Outcome.of(() -> chat("cold", stream));
                    if (!o.ok()) {
                      failures.add(o.describe());
                    }
                  });
      held.add(t);
    }
    // The requests are held (the deployment wakes up), and the revision changes meanwhile.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !"scaled_to_zero".equals(status(id)) || !endpoints(id).isEmpty());
    ApiClient.Response patch =
        api.patch(
            "/api/v1/deployments/" + id, key, "{\"engine\":{\"tool_call_parser\":\"hermes\"}}");
    assertThat(patch.status()).as(patch.body()).isEqualTo(200);
    for (Thread t : held) {
      t.join(Duration.ofSeconds(90));
    }
    assertThat(failures).as("held cold requests").isEmpty();
    awaitRevisionStatus(id, 2, "active");
    awaitReady(id, 1);
    for (String v : endpoints(id).values()) {
      JsonNode e = ApiClient.JSON.readTree(v);
      if ("ready".equals(e.get("state").asString())) {
        assertThat(e.get("revision").asInt()).isEqualTo(2);
        assertThat(debugEngine(e).get("engine").get("tool_call_parser").asString())
            .isEqualTo("hermes");
      }
    }
    delete(id);
  }

  @Test
  void aRolloutWhileTheAutoscalerScalesUpFailsNoRequest() throws Exception {
    String id = deploy("grow", "A100-80GB", 1, 3, 2);
    awaitReady(id, 1);
    try (Load load = Load.start("grow", 6)) {
      // Six clients on one instance of two slots: the autoscaler asks for more.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  api.get("/api/v1/deployments/" + id, key).json().at("/instances/desired").asInt()
                      > 1);
      ApiClient.Response patch =
          api.patch("/api/v1/deployments/" + id, key, "{\"engine\":{\"max_model_len\":2048}}");
      assertThat(patch.status()).as(patch.body()).isEqualTo(200);
      awaitRevisionStatus(id, 2, "active");
      int before = load.completed();
      load.awaitCompleted(before + 6);
      load.stop();
      assertThat(load.failures()).as("failed requests during scale-up and rollout").isEmpty();
    }
    for (String v : endpoints(id).values()) {
      JsonNode e = ApiClient.JSON.readTree(v);
      if ("ready".equals(e.get("state").asString())) {
        assertThat(e.get("revision").asInt()).isEqualTo(2);
      }
    }
    delete(id);
  }

  // --- helpers ---

  private static String deploy(String name, String gpu, int min, int max) {
    return deploy(name, gpu, min, max, 8);
  }

  private static String deploy(String name, String gpu, int min, int max, int batch) {
    ApiClient.Response r =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"gpu\":\""
                + gpu
                + "\",\"num_gpus\":1,\"max_batch_size\":"
                + batch
                + ",\"settings\":{\"min_instances\":"
                + min
                + ",\"max_instances\":"
                + max
                + ",\"scale_to_zero_after_s\":600}}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asString();
  }

  private static void delete(String id) {
    assertThat(api.delete("/api/v1/deployments/" + id, key).status()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> api.get("/api/v1/deployments/" + id, key).status() == 404);
  }

  private static String status(String id) {
    return api.get("/api/v1/deployments/" + id, key).json().get("status").asString();
  }

  private static void awaitReady(String id, int n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> readyInstanceIds(id).size() == n);
  }

  private static void awaitRevisionStatus(String id, int revision, String status) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> status.equals(revision(id, revision).path("status").asString()));
  }

  private static JsonNode revision(String id, int n) {
    for (JsonNode r : api.get("/api/v1/deployments/" + id + "/revisions", key).json().get("data")) {
      if (r.get("revision").asInt() == n) {
        return r;
      }
    }
    return ApiClient.JSON.createObjectNode();
  }

  private static Map<String, String> endpoints(String id) {
    return stack
        .redis
        .<String, String>getMap(RedisSchema.instances(id), StringCodec.INSTANCE)
        .readAllMap();
  }

  private static Set<String> readyInstanceIds(String id) {
    Set<String> out = new HashSet<>();
    for (String v : endpoints(id).values()) {
      JsonNode e = ApiClient.JSON.readTree(v);
      if ("ready".equals(e.get("state").asString())) {
        out.add(e.get("id").asString());
      }
    }
    return out;
  }

  private static List<JsonNode> instanceEvents(String id) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : api.get("/api/v1/deployments/" + id + "/events", key).json().get("data")) {
      if ("instance_event".equals(e.get("object").asString())) {
        out.add(e);
      }
    }
    return out;
  }

  /** What the simulator behind a published endpoint was started with (its engine key opens it). */
  private static JsonNode debugEngine(JsonNode endpoint) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(endpoint.get("url").asString() + "/debug/engine"))
                .header("Authorization", "Bearer " + endpoint.get("engine_key").asString())
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ApiClient.JSON.readTree(r.body());
  }

  /** One chat completion (a long stream, or a short answer); the stream is read to its end. */
  private static HttpResponse<String> chat(String model, boolean stream) throws Exception {
    String body =
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"roll "
            + System.nanoTime()
            + "\"}],\"max_tokens\":"
            + (stream ? 60 : 4)
            + (stream ? ",\"stream\":true}" : "}");
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + stack.app.port + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A request's end: 200 and, for a stream, {@code [DONE]} with no error event before it. */
  private record Outcome(int status, boolean stream, String body) {

    interface Call {
      HttpResponse<String> run() throws Exception;
    }

    static Outcome of(Call call) {
      try {
        HttpResponse<String> r = call.run();
        boolean stream =
            r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
        return new Outcome(r.statusCode(), stream, r.body());
      } catch (Exception e) {
        return new Outcome(-1, false, e.toString());
      }
    }

    boolean ok() {
      if (status != 200) {
        return false;
      }
      if (!stream) {
        return true;
      }
      List<String> data = Stream.of(body.split("\n")).filter(l -> l.startsWith("data: ")).toList();
      return !data.isEmpty()
          && data.getLast().equals("data: [DONE]")
          && data.stream().noneMatch(l -> l.startsWith("data: {\"error\""));
    }

    String describe() {
      return status + (stream ? " stream " : " ") + body.substring(0, Math.min(300, body.length()));
    }
  }

  /** Clients that send requests back to back (every third a long stream) until stopped. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger streamsDone = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    static Load start(String model, int clients) {
      Load load = new Load();
      for (int c = 0; c < clients; c++) {
        int client = c;
        load.threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int i = 0; load.running.get(); i++) {
                        boolean stream = (i + client) % 3 == 0;
                        Outcome o = Outcome.of(() -> chat(model, stream));
                        if (!o.ok()) {
                          load.failures.add(o.describe());
                        } else if (o.stream()) {
                          load.streamsDone.incrementAndGet();
                        }
                        load.completed.incrementAndGet();
                      }
                    }));
      }
      return load;
    }

    int completed() {
      return completed.get();
    }

    int streamsDone() {
      return streamsDone.get();
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    void awaitCompleted(int n) {
      await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= n);
    }

    /** Stops sending and waits for the requests in flight to end. */
    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(120));
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
