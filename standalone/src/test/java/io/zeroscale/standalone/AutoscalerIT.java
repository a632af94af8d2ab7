package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;

/**
 * Issue #6 end to end: the standalone app with its autoscaler (short windows by configuration),
 * activator and simulator instances (boot 2 s). Streaming load ramped from 0 to 6 × max_batch_size
 * concurrent clients scales a deployment from 0 to max_instances = 3, back down when the load
 * stops, and to zero after scale_to_zero_after_s, with no failed request; every decision is in the
 * events endpoint.
 */
class AutoscalerIT {

  private static final String ADMIN = "as-admin-" + "x".repeat(24);
  private static final int BATCH = 4;
  private static final int CLIENTS = 6 * BATCH;
  private static final int TO_ZERO_S = 30;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static StandaloneStack stack;
  private static EmbeddedPostgres pg;
  private static StandaloneProcess app;
  private static ApiClient api;
  private static String key;
  private static String otherKey;

  @BeforeAll
  static void start() throws Exception {
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                "--zeroscale.runtime.process.sim.startup-duration=2s",
                "--zeroscale.runtime.process.sim.inter-token-latency=50ms",
                "--zeroscale.activator.drain-settle=500ms",
                "--zeroscale.autoscaler.tick=500ms",
                "--zeroscale.autoscaler.panic-window=2s"));
    app = stack.app;
    api = stack.api;
    pg = stack.pg;
    String scopes = "[\"inference:*\",\"deployments:read\",\"deployments:write\"]";
    key = api.tenantWithKey(ADMIN, "scaler", scopes);
    otherKey = api.tenantWithKey(ADMIN, "other", scopes);
    api.importLlama7b(key, "llama7");
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  /** One observation of the deployment, from the tenant API. */
  record Seen(long atMs, int desired, int ready, String status, String reason) {}

  @Test
  void rampsFromZeroToMaxThenBackDownAndToZeroWithNoFailedRequest() throws Exception {
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"elastic\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"max_batch_size\":"
                + BATCH
                + ",\"settings\":{\"min_instances\":0,\"max_instances\":3,"
                + "\"stable_window_s\":6,\"scale_to_zero_after_s\":"
                + TO_ZERO_S
                + ",\"billing_aware_scale_down\":false}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    String id = d.json().get("id").asString();

    // Watch the deployment as a tenant would, every 250 ms. A poll that fails is recorded and
    // fails the test: the API must answer throughout.
    long t0 = System.nanoTime();
    ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> pollFailures = new ConcurrentLinkedQueue<>();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            ApiClient.Response r = api.get("/api/v1/deployments/elastic", key);
            if (r.status() != 200) {
              pollFailures.add(r.status() + " " + r.body());
              return;
            }
            JsonNode j = r.json();
            JsonNode a = j.get("autoscaler");
            seen.add(
                new Seen(
                    ms(t0),
                    j.get("instances").get("desired").asInt(),
                    j.get("instances").get("ready").asInt(),
                    j.get("status").asString(),
                    a == null || a.isNull() ? null : a.get("reason").asString()));
          } catch (RuntimeException e) {
            pollFailures.add(e.toString());
          }
        },
        0,
        250,
        TimeUnit.MILLISECONDS);

    // Ramp: two more streaming clients every 500 ms up to 6 × max_batch_size, each looping
    // (20 tokens at 50 ms ≈ 1 s per stream) until told to stop.
    AtomicBoolean load = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicLong lastRequestEnd = new AtomicLong();
    ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    Runnable client =
        () -> {
          started.incrementAndGet();
          while (load.get()) {
            try {
              HttpResponse<String> r =
                  HTTP.send(stream("elastic"), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200 && r.body().contains("data: [DONE]")) {
                ok.incrementAndGet();
              } else {
                failures.add(r.statusCode() + " " + r.body());
              }
            } catch (IOException | RuntimeException e) {
              failures.add(e.toString());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              failures.add("interrupted while load was on: " + e);
              return;
            }
            lastRequestEnd.set(ms(t0));
          }
        };
    for (int c = 0; c < CLIENTS; c++) {
      timer.schedule(() -> clients.execute(client), (c / 2) * 500L, TimeUnit.MILLISECONDS);
    }
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> started.get() == CLIENTS);
      long fullLoadAt = ms(t0);
      long fullLoadEpochMs = System.currentTimeMillis();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> seen.stream().anyMatch(s -> s.ready() == 3));
      long threeReadyAt = seen.stream().filter(s -> s.ready() == 3).findFirst().get().atMs();
      // Full load a little longer: no flapping while it lasts (every poll for 8 s sees 3).
      await()
          .during(Duration.ofSeconds(8))
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> last(seen).desired() == 3);
      // Read before the clients wind down: their last streams may take a few seconds on a loaded
      // machine, and the stable window may rightly start scaling down meanwhile.
      int desiredAtStop = last(seen).desired();
      load.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      long stoppedAt = lastRequestEnd.get();

      // Back down (stable window 6 s), then to zero after scale_to_zero_after_s.
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> last(seen).desired() == 1 && last(seen).ready() == 1);
      long downAt = ms(t0);
      await()
          .atMost(Duration.ofSeconds(TO_ZERO_S + 40))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> last(seen).ready() == 0 && "scaled_to_zero".equals(last(seen).status()));
      long zeroAt =
          seen.stream()
              .filter(s -> s.atMs() > stoppedAt && s.desired() == 0)
              .findFirst()
              .get()
              .atMs();
      System.out.printf(
          "AutoscalerIT: %d clients at %d ms; 3 ready at %d ms; load stopped at %d ms (desired"
              + " %d); down to 1 at %d ms; desired 0 at %d ms (%d ms after the last request);"
              + " %d streams ok, %d failed%n",
          CLIENTS,
          fullLoadAt,
          threeReadyAt,
          stoppedAt,
          desiredAtStop,
          downAt,
          zeroAt,
          zeroAt - stoppedAt,
          ok.get(),
          failures.size());

      assertThat(failures).as("failed requests").isEmpty();
      assertThat(pollFailures).as("failed polls of the deployment").isEmpty();
      assertThat(ok.get()).isGreaterThan(CLIENTS);
      assertThat(seen.stream().mapToInt(Seen::desired).max().getAsInt())
          .as("never above max_instances")
          .isEqualTo(3);
      assertThat(desiredAtStop).as("held at max under full load").isEqualTo(3);
      // Zero only after scale_to_zero_after_s without requests, read on the autoscaler's own
      // clock (its decision time and the last request it saw), not from this test's polling.
      JsonNode desired =
          ApiClient.JSON.readTree(
              stack
                  .redis
                  .<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE)
                  .get(id));
      long lastActive = desired.get("last_active").asLong();
      assertThat(lastActive).as("a request was seen under load").isGreaterThan(fullLoadEpochMs);
      assertThat(desired.get("replicas").asInt()).isZero();

      // The decisions, with their reasons, newest first.
      ApiClient.Response events = api.get("/api/v1/deployments/elastic/events", key);
      assertThat(events.status()).isEqualTo(200);
      List<JsonNode> list = new ArrayList<>();
      // The scaling decisions; the list also has the instances' lifecycle events.
      events
          .json()
          .get("data")
          .forEach(
              e -> {
                if ("scaling_event".equals(e.get("object").asString())) {
                  list.add(e);
                }
              });
      System.out.println("AutoscalerIT events (newest first):");
      list.forEach(e -> System.out.println("  " + e));
      assertThat(list).isNotEmpty();
      assertThat(list.getFirst().get("to").asInt()).isZero();
      assertThat(list.getFirst().get("reason").asString()).contains("scale to zero");
      assertThat(Instant.parse(list.getFirst().get("at").asString()).toEpochMilli() - lastActive)
          .as("idle time before the decision to scale to zero")
          .isGreaterThanOrEqualTo(TO_ZERO_S * 1000L);
      assertThat(list).anySatisfy(e -> assertThat(e.get("to").asInt()).isEqualTo(3));
      assertThat(list)
          .anySatisfy(
              e -> {
                assertThat(e.get("to").asInt()).isEqualTo(1);
                assertThat(e.get("from").asInt()).isGreaterThan(1);
              });
      // Also by id; another tenant's key sees nothing.
      assertThat(api.get("/api/v1/deployments/" + id + "/events", key).status()).isEqualTo(200);
      assertThat(api.get("/api/v1/deployments/" + id + "/events", otherKey).status())
          .isEqualTo(404);
      JsonNode autoscaler = api.get("/api/v1/deployments/elastic", key).json().get("autoscaler");
      assertThat(autoscaler.get("desired").asInt()).isZero();
      assertThat(autoscaler.get("idle_but_paid_s").asDouble()).isZero();
      // Under full load the status showed why it stopped at 3.
      assertThat(seen)
          .anySatisfy(
              s -> assertThat(s.reason()).isNotNull().contains("capped at 3 (max_instances)"));
    } finally {
      load.set(false);
      timer.shutdownNow();
      clients.shutdownNow();
    }
  }

  @Test
  void gaugesAreExportedPerDeployment() throws Exception {
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"gauged\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"max_batch_size\":4,\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              String page =
                  HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      "http://127.0.0.1:" + app.port + "/actuator/prometheus"))
                              // The metrics page needs the metrics or admin scope.
                              .header("Authorization", "Bearer " + ADMIN)
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body();
              return page.contains("zeroscale_autoscaler_desired{deployment=\"scaler/gauged\"}")
                  && page.contains("zeroscale_autoscaler_actual{deployment=\"scaler/gauged\"}")
                  && page.contains("zeroscale_autoscaler_demand{deployment=\"scaler/gauged\"}");
            });
  }

  private static Seen last(ConcurrentLinkedQueue<Seen> seen) {
    return seen.stream().reduce((a, b) -> b).orElse(new Seen(0, -1, -1, "", null));
  }

  private static long ms(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private static HttpRequest stream(String model) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.port + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\""
                    + model
                    + "\",\"stream\":true,\"max_tokens\":20,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"scale me\"}]}"))
        .build();
  }
}
