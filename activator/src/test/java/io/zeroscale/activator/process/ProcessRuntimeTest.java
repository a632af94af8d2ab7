package io.zeroscale.activator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real processes ({@code sleep}, {@code sh}) in a temporary state directory. */
class ProcessRuntimeTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final String DEPLOYMENT_ID = "7f3c1a52-0c5e-4d8e-9d3a-2b1f6c0e9a41";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A distinct duration, so that this test's {@code sleep} processes can be told apart. */
  private static final List<String> SLEEP = List.of("sleep", "307");

  @TempDir Path stateDir;

  private final List<ProcessRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    // A fresh runtime over the state dir sees every process any test runtime started.
    ProcessRuntime cleaner = runtime(8, SLEEP);
    for (RuntimeInstance i : cleaner.list().block(WAIT)) {
      cleaner.stop(i.instanceId(), Duration.ofSeconds(1)).block(WAIT);
    }
    // Belt and braces: nothing this test started may outlive it, even if the state is broken.
    ProcessHandle.current()
        .children()
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains("307")).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  private ProcessRuntime runtime(int gpus, List<String> command) {
    ProcessRuntime r = new ProcessRuntime(gpus, command, "127.0.0.1", stateDir, JSON);
    runtimes.add(r);
    return r;
  }

  private static DeploymentSpec deployment(String source, int numGpus) {
    return deployment(source, numGpus, 1, EngineOptions.NONE);
  }

  private static DeploymentSpec deployment(
      String source, int numGpus, int revision, EngineOptions engine) {
    return new DeploymentSpec(
        DEPLOYMENT_ID,
        "0b8f5a9e-3f41-4c7d-8a62-5d1e2f3a4b5c",
        "acme",
        "llama-8b",
        Family.LLM,
        source,
        "H100-80GB",
        numGpus,
        64,
        new ScalingSettings(0, 2, 300, 900, 1000, 0.7, 60, true),
        DeploymentStatus.DEPLOYING,
        null,
        3,
        revision,
        engine,
        1);
  }

  /** Every engine option set, as a tenant could ask for them. */
  private static final EngineOptions ENGINE =
      new EngineOptions(
          8192,
          new BigDecimal("0.85"),
          true,
          new EngineOptions.Speculative("hf://org/draft@abc1234", 4),
          "hermes",
          "qwen3",
          "bfloat16",
          "awq");

  private static InstancePlan plan(String instanceId, int numGpus) {
    return new InstancePlan(
        instanceId, deployment("hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f", numGpus));
  }

  private static Optional<RuntimeInstance> find(ProcessRuntime r, String instanceId) {
    return r.list().block(WAIT).stream().filter(i -> i.instanceId().equals(instanceId)).findFirst();
  }

  private long pidOf(String instanceId) throws Exception {
    return JSON.readTree(Files.readString(stateDir.resolve(instanceId + ".json")))
        .required("pid")
        .asLong();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void aLaunchedInstanceIsListedRunningWithItsUrlAndDeployment() {
    ProcessRuntime r = runtime(8, SLEEP);

    assertThat(r.launch(plan("i-1", 1)).block(WAIT)).isEqualTo(new Launch.Accepted("i-1"));

    RuntimeInstance i = find(r, "i-1").orElseThrow();
    assertThat(i.phase()).isEqualTo(RuntimeInstance.Phase.RUNNING);
    assertThat(i.deploymentId()).isEqualTo(DEPLOYMENT_ID);
    assertThat(i.url()).matches("http://127\\.0\\.0\\.1:\\d{2,5}");
    assertThat(i.runtimeReady()).isTrue();
    assertThat(i.detail()).isNull();
  }

  @Test
  void anInstancesLogIsReadForItsOwnDeploymentOnly() {
    ProcessRuntime r = runtime(2, List.of("sh", "-c", "echo one; echo two; echo three; sleep 307"));
    r.launch(plan("logged", 1)).block(WAIT);
    await()
        .atMost(WAIT)
        .until(() -> r.logs(DEPLOYMENT_ID, "logged", 2, 1024).block(WAIT).contains("three"));
    assertThat(r.logs(DEPLOYMENT_ID, "logged", 2, 1024).block(WAIT))
        .containsExactly("two", "three");
    assertThat(r.logs("another-deployment", "logged", 2, 1024).blockOptional(WAIT)).isEmpty();
    assertThat(r.logs(DEPLOYMENT_ID, "unknown", 2, 1024).blockOptional(WAIT)).isEmpty();
  }

  @Test
  void gpuInventoryRefusesWhatDoesNotFitUntilAStopFreesIt() throws Exception {
    ProcessRuntime r = runtime(2, SLEEP);
    assertThat(r.launch(plan("a", 2)).block(WAIT)).isInstanceOf(Launch.Accepted.class);
    long pid = pidOf("a");

    Launch second = r.launch(plan("b", 2)).block(WAIT);

    assertThat(second).isInstanceOf(Launch.NoCapacity.class);
    assertThat(((Launch.NoCapacity) second).reason())
        .contains("0 of 2 H100-80GB free")
        .contains("2 needed");
    assertThat(r.list().block(WAIT)).extracting(RuntimeInstance::instanceId).containsExactly("a");

    r.stop("a", GRACE).block(WAIT);

    assertThat(alive(pid)).isFalse();
    assertThat(r.launch(plan("b", 2)).block(WAIT)).isEqualTo(new Launch.Accepted("b"));
    assertThat(r.list().block(WAIT)).extracting(RuntimeInstance::instanceId).containsExactly("b");
  }

  @Test
  void launchingTheSameIdTwiceStartsOneProcess() throws Exception {
    ProcessRuntime r = runtime(8, SLEEP);
    r.launch(plan("twice", 1)).block(WAIT);
    long pid = pidOf("twice");

    assertThat(r.launch(plan("twice", 1)).block(WAIT)).isEqualTo(new Launch.Accepted("twice"));

    assertThat(pidOf("twice")).isEqualTo(pid);
    assertThat(r.list().block(WAIT)).hasSize(1);
    assertThat(
            ProcessHandle.current()
                .children()
                .filter(
                    h -> h.info().arguments().map(a -> List.of(a).contains("307")).orElse(false))
                .count())
        .isEqualTo(1);
  }

  @Test
  void aCommandThatExitsIsListedExitedWithItsCodeAndLastLogLine() {
    ProcessRuntime r = runtime(2, List.of("sh", "-c", "echo boom >&2; exit 3"));
    r.launch(plan("crash", 2)).block(WAIT);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              RuntimeInstance i = find(r, "crash").orElseThrow();
              assertThat(i.phase()).isEqualTo(RuntimeInstance.Phase.EXITED);
              assertThat(i.runtimeReady()).isFalse();
              assertThat(i.detail()).contains("code 3").contains("boom");
            });
    // An exited instance holds no GPUs, though it is listed until stopped.
    assertThat(r.launch(plan("next", 2)).block(WAIT)).isInstanceOf(Launch.Accepted.class);
  }

  @Test
  void aNewRuntimeOverTheSameStateDirAdoptsTheRunningProcess() throws Exception {
    ProcessRuntime first = runtime(8, SLEEP);
    first.launch(plan("kept", 2)).block(WAIT);
    long pid = pidOf("kept");
    String url = find(first, "kept").orElseThrow().url();

    ProcessRuntime second = runtime(8, SLEEP);

    RuntimeInstance adopted = find(second, "kept").orElseThrow();
    assertThat(adopted.phase()).isEqualTo(RuntimeInstance.Phase.RUNNING);
    assertThat(adopted.url()).isEqualTo(url);
    assertThat(adopted.deploymentId()).isEqualTo(DEPLOYMENT_ID);

    second.stop("kept", GRACE).block(WAIT);

    await().atMost(WAIT).until(() -> !alive(pid));
    assertThat(second.list().block(WAIT)).isEmpty();
    assertThat(first.list().block(WAIT)).isEmpty();
  }

  @Test
  void stoppingAnUnknownIdCompletes() {
    StepVerifier.create(runtime(8, SLEEP).stop("nobody", GRACE)).expectComplete().verify(WAIT);
  }

  @Test
  void aCommandThatCannotStartErrorsAndHoldsNothing() {
    ProcessRuntime r = runtime(2, List.of("/nonexistent/binary", "--port", "{port}"));

    StepVerifier.create(r.launch(plan("bad", 2)))
        .expectErrorSatisfies(
            e -> assertThat(e).hasMessageContaining("cannot start `/nonexistent/binary`"))
        .verify(WAIT);

    assertThat(r.list().block(WAIT)).isEmpty();
    assertThat(stateDir.resolve("bad.json")).doesNotExist();
    assertThat(stateDir.resolve("bad")).doesNotExist();
  }

  @Test
  void expandFillsEveryPlaceholder() {
    List<String> template =
        List.of(
            "serve",
            "{repo}",
            "--revision={revision}",
            "--host",
            "{host}",
            "--port={port}",
            "--served-model-name={model_name},{full_name}",
            "--max-num-seqs={max_batch_size}",
            "--tp={num_gpus}",
            "--family={family}");

    List<String> out =
        ProcessRuntime.expand(
            template, new InstancePlan("x", deployment("hf://org/repo@rev", 4)), "0.0.0.0", 8123);

    assertThat(out)
        .containsExactly(
            "serve",
            "org/repo",
            "--revision=rev",
            "--host",
            "0.0.0.0",
            "--port=8123",
            "--served-model-name=llama-8b,acme/llama-8b",
            "--max-num-seqs=64",
            "--tp=4",
            "--family=llm");
    assertThat(String.join(" ", out)).doesNotContain("{").doesNotContain("}");
  }

  private static final String SHA = "0e9e39f249a16976918f6564b8830bc894c89659";

  @Test
  void theLaunchedCommandLineRunsThePinnedCommit() {
    List<String> vllm =
        List.of(
            "vllm",
            "serve",
            "{repo}",
            "--revision",
            "{revision}",
            "--port",
            "{port}",
            "--served-model-name",
            "{model_name},{full_name}");
    var plan =
        new InstancePlan(
            "x",
            deployment("hf://meta-llama/Llama-3.1-8B-Instruct@" + SHA, 1),
            "zse_k",
            null,
            false);

    List<String> out = ProcessRuntime.expand(vllm, plan, "127.0.0.1", 8123);

    assertThat(out)
        .containsSubsequence("serve", "meta-llama/Llama-3.1-8B-Instruct", "--revision", SHA)
        .doesNotContain("main")
        .as("the engine key never goes on the command line")
        .noneMatch(a -> a.contains("zse_k"));
    assertThat(
            ProcessRuntime.expand(
                ProcessRuntime.simulatorCommand(Path.of("engine-sim.jar"), List.of()),
                plan,
                "127.0.0.1",
                8123))
        .contains("meta-llama/Llama-3.1-8B-Instruct", "--revision=" + SHA);
  }

  @Test
  void anInstanceGetsOnlyItsAllowedEnvironmentItsKeyAndPrivateFiles() throws Exception {
    Map<String, String> host =
        Map.of(
            "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
            "ZEROSCALE_ADMIN_KEY", "admin-secret-admin-secret-admin-secret",
            "HF_TOKEN", "hf_platform_token",
            "CUDA_VISIBLE_DEVICES", "3");
    ProcessRuntime r =
        new ProcessRuntime(
            8,
            SLEEP,
            "127.0.0.1",
            stateDir,
            JSON,
            new InstanceIsolation(List.of("CUDA_*"), host, null));
    runtimes.add(r);
    var plan =
        new InstancePlan("env", deployment("hf://org/repo@" + SHA, 1), "zse_k1", null, false);

    r.launch(plan).block(WAIT);

    long pid = pidOf("env");
    String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
    assertThat(environ)
        .contains(
            "VLLM_API_KEY=zse_k1", "CUDA_VISIBLE_DEVICES=3", "HOME=" + stateDir.resolve("env"))
        .doesNotContain("admin-secret", "hf_platform_token", "ZEROSCALE_ADMIN_KEY", "HF_TOKEN");
    assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).doesNotContain("zse_k1");
    assertThat(mode(stateDir)).isEqualTo("rwx------");
    assertThat(mode(stateDir.resolve("env"))).isEqualTo("rwx------");
    assertThat(mode(stateDir.resolve("env.json"))).isEqualTo("rw-------");
    assertThat(mode(stateDir.resolve("env.log"))).isEqualTo("rw-------");
    assertThat(Path.of("/proc/" + pid + "/cwd").toRealPath())
        .isEqualTo(stateDir.resolve("env").toRealPath());

    r.stop("env", GRACE).block(WAIT);
    assertThat(stateDir.resolve("env")).doesNotExist();
  }

  @Test
  void theEngineKeyIsKeptForTheNextActivator() {
    ProcessRuntime first = runtime(8, SLEEP);
    first
        .launch(
            new InstancePlan("keyed", deployment("hf://org/repo@" + SHA, 1), "zse_k2", null, false))
        .block(WAIT);

    RuntimeInstance adopted = find(runtime(8, SLEEP), "keyed").orElseThrow();

    assertThat(adopted.engineKey()).isEqualTo("zse_k2");
    assertThat(adopted.toString()).doesNotContain("zse_k2");
  }

  @Test
  void aStateFileWrittenBeforeEngineKeysIsStillAdopted() throws Exception {
    ProcessRuntime r = runtime(8, SLEEP);
    r.launch(plan("old", 1)).block(WAIT);
    long pid = pidOf("old");
    String withoutKey =
        Files.readString(stateDir.resolve("old.json")).replaceAll(",\"engine_key\":\"[^\"]*\"", "");
    Files.writeString(stateDir.resolve("old.json"), withoutKey);

    RuntimeInstance adopted = find(runtime(8, SLEEP), "old").orElseThrow();

    assertThat(adopted.phase()).isEqualTo(RuntimeInstance.Phase.RUNNING);
    assertThat(adopted.engineKey()).isNull();
    assertThat(alive(pid)).isTrue();
  }

  @Test
  void anInstanceRunsAsTheConfiguredUser() throws Exception {
    assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root");
    InstanceIsolation.RunAs nobody;
    try {
      nobody = InstanceIsolation.RunAs.resolve("nobody");
    } catch (IllegalStateException e) {
      assumeTrue(false, e.getMessage());
      return;
    }
    ProcessRuntime r =
        new ProcessRuntime(
            8,
            List.of("sh", "-c", "touch \"$HOME/written\" && exec sleep 307"),
            "127.0.0.1",
            stateDir,
            JSON,
            new InstanceIsolation(List.of(), System.getenv(), nobody));
    runtimes.add(r);

    r.launch(plan("nob", 1)).block(WAIT);

    long pid = pidOf("nob");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(stateDir.resolve("nob").resolve("written")).exists());
    assertThat(Files.getAttribute(Path.of("/proc/" + pid), "unix:uid")).isEqualTo(nobody.uid());
    assertThat(mode(stateDir)).isEqualTo("rwx--x--x");
    assertThat(mode(stateDir.resolve("nob.log"))).isEqualTo("rw-------");
    assertThat(Files.getAttribute(stateDir.resolve("nob.log"), "unix:uid")).isEqualTo(0);
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void expandDefaultsTheRevisionToMain() {
    List<String> out =
        ProcessRuntime.expand(
            List.of("{repo}", "{revision}"),
            new InstancePlan("x", deployment("hf://org/repo", 1)),
            "127.0.0.1",
            1);

    assertThat(out).containsExactly("org/repo", "main");
  }

  @Test
  void theEngineOptionsFollowTheTemplateForTheSimulatorAndAVllmTemplateAlike() {
    var plan = new InstancePlan("x", deployment("hf://org/repo@" + SHA, 1, 2, ENGINE));
    List<String> flags =
        List.of(
            "--max-model-len=8192",
            "--gpu-memory-utilization=0.85",
            "--enable-prefix-caching",
            "--speculative-config={\"model\":\"org/draft\",\"revision\":\"abc1234\","
                + "\"num_speculative_tokens\":4}",
            "--enable-auto-tool-choice",
            "--tool-call-parser=hermes",
            "--reasoning-parser=qwen3",
            "--dtype=bfloat16",
            "--quantization=awq");
    List<String> vllm = List.of("vllm", "serve", "{repo}", "--port", "{port}");
    List<String> sim =
        ProcessRuntime.simulatorCommand(Path.of("engine-sim.jar"), List.of("--seed=7"));

    assertThat(ProcessRuntime.commandLine(vllm, plan, "127.0.0.1", 8123))
        .containsExactlyElementsOf(
            concat(List.of("vllm", "serve", "org/repo", "--port", "8123"), flags));
    List<String> simLine = ProcessRuntime.commandLine(sim, plan, "127.0.0.1", 8123);
    assertThat(simLine.subList(simLine.size() - flags.size() - 1, simLine.size()))
        .as("after the template and its simulator flags")
        .containsExactlyElementsOf(concat(List.of("--seed=7"), flags));
    assertThat(
            ProcessRuntime.commandLine(
                vllm, new InstancePlan("y", deployment("hf://org/repo", 1)), "127.0.0.1", 8123))
        .as("no engine option, no flag")
        .containsExactly("vllm", "serve", "org/repo", "--port", "8123");
  }

  @Test
  void listReturnsTheRevisionAnInstanceWasLaunchedForAlsoToTheNextActivator() throws Exception {
    ProcessRuntime first = runtime(8, SLEEP);
    first
        .launch(
            new InstancePlan("r3", deployment("hf://org/repo@" + SHA, 1, 3, EngineOptions.NONE)))
        .block(WAIT);
    first
        .launch(
            new InstancePlan("r4", deployment("hf://org/repo@" + SHA, 1, 4, EngineOptions.NONE)))
        .block(WAIT);

    assertThat(find(first, "r3").orElseThrow().phase()).isEqualTo(RuntimeInstance.Phase.RUNNING);
    assertThat(find(first, "r3").orElseThrow().revision()).isEqualTo(3);
    assertThat(find(runtime(8, SLEEP), "r4").orElseThrow().revision()).isEqualTo(4);
    assertThat(JSON.readTree(Files.readString(stateDir.resolve("r4.json"))).get("revision").asInt())
        .isEqualTo(4);
  }

  @Test
  void aStateFileWrittenBeforeRevisionsReadsAsRevisionZero() throws Exception {
    ProcessRuntime r = runtime(8, SLEEP);
    r.launch(new InstancePlan("pre", deployment("hf://org/repo@" + SHA, 1, 5, EngineOptions.NONE)))
        .block(WAIT);
    Path state = stateDir.resolve("pre.json");
    String without = Files.readString(state).replaceAll(",?\"revision\":\\d+", "");
    assertThat(without).doesNotContain("revision");
    Files.writeString(state, without);

    RuntimeInstance adopted = find(runtime(8, SLEEP), "pre").orElseThrow();

    assertThat(adopted.phase()).isEqualTo(RuntimeInstance.Phase.RUNNING);
    assertThat(adopted.revision()).isZero();
  }

  /**
   * The simulator's command of the process runtime, launched from this test's classpath (the
   * simulator's classes and dependencies are on it) instead of its jar.
   */
  private static List<String> simulatorFromClasspath(List<String> simFlags) {
    return ProcessRuntime.simulatorCommand(
        List.of("-cp", System.getProperty("java.class.path"), "io.zeroscale.sim.EngineSimMain"),
        simFlags);
  }

  @Test
  void aLaunchedSimulatorReportsTheEngineOptionsItWasStartedWith() throws Exception {
    ProcessRuntime r = runtime(8, simulatorFromClasspath(List.of("--startup-duration=0ms")));
    var plan =
        new InstancePlan(
            "sim-1", deployment("hf://org/repo@" + SHA, 1, 2, ENGINE), "zse_sim-key", null, false);

    r.launch(plan).block(WAIT);

    String url = find(r, "sim-1").orElseThrow().url();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest debug =
        HttpRequest.newBuilder(URI.create(url + "/debug/engine"))
            .header("Authorization", "Bearer zse_sim-key")
            .build();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200);
    HttpResponse<String> response = http.send(debug, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("model").asString()).isEqualTo("org/repo");
    assertThat(body.get("revision").asString()).isEqualTo(SHA);
    assertThat(body.get("max_num_seqs").asInt()).isEqualTo(64);
    assertThat(body.get("engine"))
        .as("what the deployment asked for, as the simulator parsed it")
        .isEqualTo(JSON.readTree(JSON.writeValueAsString(ENGINE.toMap())));
    assertThat(find(r, "sim-1").orElseThrow().revision()).isEqualTo(2);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(url + "/debug/engine")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .as("behind the instance's engine key")
        .isEqualTo(401);
  }

  @Test
  void aSimulatorToldToFailBootForTheModelExitsAndSaysWhy() {
    List<String> flags =
        new ProcessRuntimeProperties.Sim(
                Duration.ZERO, null, null, null, null, null, List.of("org/other", "org/repo@v*"))
            .flags();
    ProcessRuntime r = runtime(8, simulatorFromClasspath(flags));

    r.launch(new InstancePlan("doomed", deployment("hf://org/repo@v2", 1, 2, ENGINE))).block(WAIT);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              RuntimeInstance i = find(r, "doomed").orElseThrow();
              assertThat(i.phase()).isEqualTo(RuntimeInstance.Phase.EXITED);
              assertThat(i.detail()).contains("code 1").contains("failing to boot");
              assertThat(i.revision()).isEqualTo(2);
            });
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
