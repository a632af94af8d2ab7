package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.gateway.model.hub.StandInHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue #5: killing the leading activator while its instance boots, another activator takes over;
 * there is no duplicate instance, the boot completes, and the requests held meanwhile succeed.
 *
 * <p>Two standalone JVMs share one PostgreSQL, one Redis and one process-runtime state directory
 * (as two activators on one machine would). Requests go to the gateway of the JVM that does not
 * lead; once the leader has started the simulator (its state file exists) and before the simulator
 * answers {@code /health}, the leader gets SIGKILL. Its simulator keeps running, orphaned; the
 * survivor must adopt it rather than start another.
 */
class ActivatorFailoverIT {

  private static final String ADMIN = "fo-admin-" + "x".repeat(24);

  /**
   * Long enough that a renewal stalled while two JVMs start on a loaded machine does not pass the
   * lease to the other activator before the test kills the leader (the test would then kill the
   * wrong one); the hand-over after the SIGKILL takes about this long.
   */
  private static final Duration LEASE_TTL = Duration.ofSeconds(10);

  private static final String TENANT = "failover";
  private static final int REQUESTS = 8;
  private static final Pattern STARTED = Pattern.compile("Activator (activator-\\S+) started");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static Path stateDir;
  private static StandInHub hub;
  private static GatewayFleet fleet;
  private static InstanceRegistry registry;
  private static String deploymentId;

  /** Unique on this machine, so that only this test's simulator processes are counted. */
  private static final String MODEL =
      "chat-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);

  private static final String FULL_NAME = TENANT + "/" + MODEL;

  @BeforeAll
  static void start() throws Exception {
    stateDir = tmp.resolve("instances");
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
            List.of(
                // One state directory for both: the survivor sees what the dead leader started.
                "--zeroscale.runtime.process.state-dir=" + stateDir,
                "--zeroscale.activator.lease-ttl=" + LEASE_TTL.toSeconds() + "s",
                "--zeroscale.activator.tick=500ms",
                "--zeroscale.runtime.process.sim.startup-duration=5s"));
    registry = new InstanceRegistry(fleet.redisPort);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (fleet != null) {
        fleet.close();
      }
    } finally {
      // Safety net only (the test asserts that none is left): this test's simulators.
      simulators().forEach(ProcessHandle::destroyForcibly);
      if (registry != null) {
        registry.close();
      }
      if (hub != null) {
        hub.close();
      }
    }
  }

  @Test
  void killingTheLeaderMidBootAdoptsTheInstanceAndHeldRequestsSucceed() throws Exception {
    ApiClient api = new ApiClient(fleet.gw1.port);
    String key = setUpDeployment(api);

    // Which JVM leads: the lease holds the activator id, each JVM logs its own.
    String id1 = activatorId(fleet.gw1);
    String id2 = activatorId(fleet.gw2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Set.of(id1, id2).contains(registry.activatorLeader()));
    String leaderId = registry.activatorLeader();
    StandaloneProcess leader = id1.equals(leaderId) ? fleet.gw1 : fleet.gw2;
    StandaloneProcess survivor = leader == fleet.gw1 ? fleet.gw2 : fleet.gw1;
    String survivorId = survivor == fleet.gw1 ? id1 : id2;
    // The lease is written before the log line: wait for the line rather than read it once.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> leader.output().contains("Activator " + leaderId + " leads"));
    // How often the survivor has led so far (never, unless a stall passed the lease around before
    // the test began): its take-over below must add a line, not find an old one.
    int survivorLedBefore = occurrences(survivor.output(), "Activator " + survivorId + " leads");
    // The survivor's gateway must know the deployment, or the requests would be 404s.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> new ApiClient(survivor.port).get("/v1/models", key).body().contains(MODEL));

    // Every state file and every simulator of this deployment seen from now to the end.
    Set<String> stateFilesSeen = ConcurrentHashMap.newKeySet();
    Set<Long> simulatorsSeen = ConcurrentHashMap.newKeySet();
    AtomicInteger mostStateFiles = new AtomicInteger();
    AtomicInteger mostSimulators = new AtomicInteger();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleWithFixedDelay(
        () -> {
          List<String> files = stateFiles();
          List<ProcessHandle> sims = simulators();
          stateFilesSeen.addAll(files);
          sims.forEach(h -> simulatorsSeen.add(h.pid()));
          mostStateFiles.accumulateAndGet(files.size(), Math::max);
          mostSimulators.accumulateAndGet(sims.size(), Math::max);
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    try {
      List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        held.add(chat(survivor, key, i % 2 == 0));
      }

      // Mid-boot: the leader has started the simulator, which does not answer /health yet.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .failFast(
              "a held request ended before the kill",
              () -> held.stream().anyMatch(CompletableFuture::isDone))
          .until(() -> stateFiles().size() == 1);
      String instanceId = stateFiles().getFirst().replaceFirst("\\.json$", "");
      JsonNode state =
          ApiClient.JSON.readTree(Files.readString(stateDir.resolve(instanceId + ".json")));
      long pid = state.get("pid").asLong();
      String url = state.get("url").asString();
      assertThat(health(url))
          .as("the instance must still be booting when its leader dies")
          .isNotEqualTo(200);
      assertThat(registry.activatorLeader())
          .as("the JVM about to be killed still holds the lease")
          .isEqualTo(leaderId);
      long killedAt = System.nanoTime();
      leader.kill(Duration.ofSeconds(30));

      assertThat(registry.endpoints(deploymentId)).as("nothing was published yet").isEmpty();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
          .as("the simulator outlives its SIGKILLed activator")
          .contains(true);

      // The survivor takes the lease once the dead leader's has expired.
      await()
          .atMost(LEASE_TTL.plusSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> survivorId.equals(registry.activatorLeader()));
      long takeOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      System.out.println(
          "ActivatorFailoverIT: lease taken over " + takeOverMs + " ms after the kill");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  occurrences(survivor.output(), "Activator " + survivorId + " leads")
                      > survivorLedBefore);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  survivor
                      .output()
                      .contains(
                          "Adopted instance " + instanceId + " of " + FULL_NAME + " as STARTING"));

      // The boot completes: held requests are released to the adopted instance.
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> held.stream().allMatch(CompletableFuture::isDone));
      for (int i = 0; i < REQUESTS; i++) {
        HttpResponse<String> r = held.get(i).join();
        assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-zeroscale-cold-start"))
            .as("request %d", i)
            .contains("true");
        if (i % 2 == 0) {
          assertThat(r.body()).as("stream %d", i).contains("data: ").endsWith("data: [DONE]\n\n");
        } else {
          assertThat(ApiClient.JSON.readTree(r.body()).get("choices").size())
              .as("request %d: %s", i, r.body())
              .isEqualTo(1);
        }
      }
      assertThat(survivor.output())
          .contains("Instance " + instanceId + " of " + FULL_NAME + " is ready at " + url);
      assertThat(registry.endpoints(deploymentId)).containsExactly(instanceId);

      // One instance throughout: the same state file, the same process, one boot in its log.
      assertThat(stateFiles()).containsExactly(instanceId + ".json");
      assertThat(simulators()).extracting(ProcessHandle::pid).containsExactly(pid);
      String bootLog = Files.readString(stateDir.resolve(instanceId + ".log"));
      assertThat(occurrences(bootLog, "engine-sim listening on")).as(bootLog).isEqualTo(1);
      assertThat(occurrences(bootLog, "engine-sim ready")).as(bootLog).isEqualTo(1);
      assertThat(survivor.output()).doesNotContain("Started instance");
    } catch (AssertionError | RuntimeException e) {
      // The JVMs' logs live in the temporary directory, which is gone once the test ends.
      e.addSuppressed(new AssertionError("activator and instance log lines:\n" + activatorLog()));
      throw e;
    } finally {
      sampler.shutdownNow();
    }
    assertThat(stateFilesSeen).as("state files ever seen").hasSize(1);
    assertThat(simulatorsSeen).as("simulator processes ever seen").hasSize(1);
    assertThat(mostStateFiles.get()).isEqualTo(1);
    assertThat(mostSimulators.get()).isEqualTo(1);

    // SIGTERM to the survivor stops every instance it runs, the adopted orphan included.
    survivor.terminate(Duration.ofSeconds(90));
    await().atMost(Duration.ofSeconds(30)).until(() -> simulators().isEmpty());
    assertThat(stateFiles()).isEmpty();
  }

  /** Tenant, key, model and a deployment that scales to zero; answers the key. */
  private static String setUpDeployment(ApiClient api) {
    assertThat(
            api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"" + TENANT + "\",\"gpu_quota\":8}")
                .status())
        .isEqualTo(201);
    String key =
        fleet.tenantKey(TENANT, "[\"inference:*\",\"deployments:read\",\"deployments:write\"]");
    ApiClient.Response model =
        api.post(
            "/api/v1/models",
            key,
            "{\"name\":\"llama7\",\"source\":\"hf://meta-llama/Llama-2-7b-hf\"}");
    assertThat(model.status()).as(model.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "ready"
                    .equals(api.get("/api/v1/models/llama7", key).json().get("status").asString()));
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + MODEL
                + "\",\"model\":\"llama7\",\"family\":\"llm\",\"gpu\":\"A100-80GB\","
                + "\"max_batch_size\":4,\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    deploymentId = d.json().get("id").asString();
    return key;
  }

  private static String activatorId(StandaloneProcess gw) {
    String[] id = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Matcher m = STARTED.matcher(gw.output());
              if (m.find()) {
                id[0] = m.group(1);
              }
              return id[0] != null;
            });
    return id[0];
  }

  private static CompletableFuture<HttpResponse<String>> chat(
      StandaloneProcess gw, String key, boolean stream) {
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4"
            + ",\"stream\":"
            + stream
            + "}";
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(240))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of the instance's {@code /health}, or 0 when it does not answer. */
  private static int health(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url + "/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The instance state files ({@code <id>.json}) in the shared state directory. */
  private static List<String> stateFiles() {
    if (!Files.isDirectory(stateDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(stateDir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Live engine simulator processes serving this test's deployment. */
  private static List<ProcessHandle> simulators() {
    return ProcessHandle.allProcesses()
        .filter(
            h -> {
              Optional<String> cmd = h.info().commandLine();
              return cmd.isPresent()
                  && cmd.get().contains("engine-sim.jar")
                  && cmd.get().contains(FULL_NAME);
            })
        .toList();
  }

  /** What both activators logged about leadership and instances, for a failure message. */
  private static String activatorLog() {
    StringBuilder out = new StringBuilder();
    for (StandaloneProcess gw : List.of(fleet.gw1, fleet.gw2)) {
      out.append("--- JVM on port ").append(gw.port).append('\n');
      gw.output()
          .lines()
          .filter(l -> l.contains("ctivator") || l.contains("nstance"))
          .forEach(l -> out.append(l).append('\n'));
    }
    return out.toString();
  }

  private static int occurrences(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }
}
