package io.zeroscale.activator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.activator.runtime.RuntimeInstance.Phase;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runtime against fabric8's CRUD mock API server through the official client, with a fake
 * kubelet (second client, same server) that moves the pods along and runs their engines as
 * simulators on distinct loopback addresses.
 */
class KubernetesRuntimeTest {

  private static final JsonMapper ENGINE_JSON = JsonMapper.builder().build();

  private static final String NAMESPACE = "zeroscale";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final SecretFailingDispatcher dispatcher = new SecretFailingDispatcher();
  private KubernetesMockServer server;
  private KubernetesClient fabric8;
  private FakeKubelet kubelet;
  private KubernetesRuntimeProperties properties;
  private KubernetesRuntime runtime;
  private int port;

  @BeforeEach
  void startApiServer() throws IOException {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    fabric8 = server.createClient();
    kubelet = new FakeKubelet(fabric8, NAMESPACE);
    port = freePort();
    // The defaults (whose namespace is NAMESPACE), but the simulators' port.
    KubernetesRuntimeProperties d = KubernetesRuntimeProperties.defaults();
    properties =
        new KubernetesRuntimeProperties(
            d.namespace(),
            d.images(),
            port,
            d.gpuNodeLabel(),
            d.gpuProducts(),
            d.hfTokenSecret(),
            d.hfTokenKey(),
            d.hfHome(),
            d.serviceAccount(),
            d.terminationGracePeriod(),
            d.extraArgs(),
            d.runtimeClassName(),
            d.tolerations(),
            d.resources());
    runtime = newRuntime();
  }

  @AfterEach
  void stopApiServer() {
    kubelet.close();
    fabric8.close();
    server.destroy();
  }

  @Test
  void launchedPodsArePendingUntilScheduledThenRunningAndReadyOnTheirPodIp() throws Exception {
    StepVerifier.create(runtime.launch(Plans.h100x2("i-a")))
        .expectNext(new Launch.Accepted("i-a"))
        .verifyComplete();
    // A retry of the same launch (same instance id) is a no-op.
    StepVerifier.create(runtime.launch(Plans.h100x2("i-a")))
        .expectNext(new Launch.Accepted("i-a"))
        .verifyComplete();
    runtime.launch(Plans.h100x2("i-b")).block(TIMEOUT);
    assertThat(kubelet.managedPods())
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("zs-i-a", "zs-i-b");
    Pod created = kubelet.pod("zs-i-a");
    assertThat(created.getSpec().getNodeSelector())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    assertThat(created.getSpec().getContainers().getFirst().getResources().getLimits())
        .containsKey("nvidia.com/gpu");

    assertThat(list())
        .allSatisfy(
            instance -> {
              assertThat(instance.phase()).isEqualTo(Phase.PENDING);
              assertThat(instance.url()).isNull();
              assertThat(instance.runtimeReady()).isFalse();
              assertThat(instance.deploymentId()).isEqualTo(Plans.DEPLOYMENT_ID);
            })
        .hasSize(2);

    kubelet.bind("zs-i-a", "127.0.0.2");
    kubelet.bind("zs-i-b", "127.0.0.3");
    Map<String, RuntimeInstance> bound = byId(list());
    assertThat(bound.get("i-a").phase()).isEqualTo(Phase.RUNNING);
    assertThat(bound.get("i-a").url()).isEqualTo("http://127.0.0.2:" + port);
    assertThat(bound.get("i-a").runtimeReady()).isFalse();
    assertThat(bound.get("i-b").url()).isEqualTo("http://127.0.0.3:" + port);

    kubelet.startEngine("zs-i-a");
    kubelet.startEngine("zs-i-b");
    kubelet.probeUntilReady("zs-i-a", port);
    Map<String, RuntimeInstance> ready = byId(list());
    assertThat(ready.get("i-a").runtimeReady()).isTrue();
    assertThat(ready.get("i-b").runtimeReady()).isFalse();
    kubelet.probeUntilReady("zs-i-b", port);

    // Two engines on the same port, one per pod IP: the URLs are what the gateway will call.
    for (RuntimeInstance instance : list()) {
      assertThat(instance.phase()).isEqualTo(Phase.RUNNING);
      assertThat(instance.runtimeReady()).isTrue();
      assertThat(httpGet(instance.url() + "/health")).isEqualTo(200);
    }
    String models = httpBody(ready.get("i-a").url() + "/v1/models");
    assertThat(models).contains("\"llama-8b\"").contains("\"acme/llama-8b\"");
  }

  @Test
  void anInstancesLogIsItsEngineContainersPodLogForItsOwnDeploymentOnly() {
    runtime.launch(Plans.h100x2("i-a")).block(TIMEOUT);
    assertThat(runtime.logs(Plans.DEPLOYMENT_ID, "i-a", 50, 4096).block(TIMEOUT))
        .containsExactly("INFO one", "INFO two");
    assertThat(dispatcher.lastLogPath)
        .contains("zs-i-a/log")
        .contains("container=" + PodTemplates.CONTAINER)
        .contains("tailLines=50")
        .contains("limitBytes=4096");
    dispatcher.lastLogPath = null;
    assertThat(runtime.logs("another-deployment", "i-a", 50, 4096).blockOptional(TIMEOUT))
        .isEmpty();
    assertThat(runtime.logs(Plans.DEPLOYMENT_ID, "i-unknown", 50, 4096).blockOptional(TIMEOUT))
        .isEmpty();
    assertThat(dispatcher.lastLogPath).isNull();
  }

  @Test
  void aNewRuntimeAdoptsThePodsOfThePreviousOne() {
    runtime.launch(Plans.h100x2("i-a")).block(TIMEOUT);
    kubelet.bind("zs-i-a", "127.0.0.2");
    kubelet.startEngine("zs-i-a");
    kubelet.probeUntilReady("zs-i-a", port);

    // As after an activator restart: a new object with a new client, no memory of the launch.
    KubernetesRuntime restarted = newRuntime();
    StepVerifier.create(restarted.list())
        .assertNext(
            instances -> {
              assertThat(instances).hasSize(1);
              RuntimeInstance adopted = instances.getFirst();
              assertThat(adopted.instanceId()).isEqualTo("i-a");
              assertThat(adopted.deploymentId()).isEqualTo(Plans.DEPLOYMENT_ID);
              assertThat(adopted.phase()).isEqualTo(Phase.RUNNING);
              assertThat(adopted.url()).isEqualTo("http://127.0.0.2:" + port);
              assertThat(adopted.runtimeReady()).isTrue();
            })
        .verifyComplete();
    restarted.launch(Plans.h100x2("i-a")).block(TIMEOUT);
    assertThat(kubelet.managedPods()).hasSize(1);
  }

  @Test
  void theEngineRunsWithTheDeploymentsOptionsAndThePodRemembersItsRevision() throws Exception {
    var plan =
        new InstancePlan(
            "i-rev",
            Plans.deployment(Family.LLM, "H100-80GB", 2, 900, 4, Plans.ENGINE),
            Plans.ENGINE_KEY,
            null,
            false);
    runtime.launch(plan).block(TIMEOUT);
    kubelet.bind("zs-i-rev", "127.0.0.2");
    kubelet.startEngine("zs-i-rev");
    kubelet.probeUntilReady("zs-i-rev", port);

    // The in-process engine gets the pod's command line, not its environment: no key to send.
    JsonNode started = ENGINE_JSON.readTree(httpBody("http://127.0.0.2:" + port + "/debug/engine"));
    assertThat(started.get("model").asString()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(started.get("revision").asString()).isEqualTo("0e9e39f");
    assertThat(started.get("max_num_seqs").asInt()).isEqualTo(64);
    assertThat(started.get("engine"))
        .isEqualTo(ENGINE_JSON.readTree(ENGINE_JSON.writeValueAsString(Plans.ENGINE.toMap())));

    // A new runtime (an adopting leader) reads the revision back, along with the engine key.
    RuntimeInstance adopted = byId(newRuntime().list().block(TIMEOUT)).get("i-rev");
    assertThat(adopted.revision()).isEqualTo(4);
    assertThat(adopted.engineKey()).isEqualTo(Plans.ENGINE_KEY);
    assertThat(adopted.runtimeReady()).isTrue();
  }

  @Test
  void theKeyAndTheTokenGoToSecretsThePodOnlyReferences() {
    StepVerifier.create(runtime.launch(Plans.withTenantToken("i-a")))
        .expectNext(new Launch.Accepted("i-a"))
        .verifyComplete();
    Pod pod = kubelet.pod("zs-i-a");
    // What the API server stores for the pod holds neither value, only the references.
    String podJson = Serialization.asJson(pod);
    assertThat(podJson).doesNotContain(Plans.ENGINE_KEY).doesNotContain(Plans.TENANT_TOKEN);
    Map<String, String> refs =
        pod.getSpec().getContainers().getFirst().getEnv().stream()
            .filter(e -> e.getValueFrom() != null)
            .collect(
                Collectors.toMap(
                    EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getName()));
    assertThat(refs)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "VLLM_API_KEY", "zs-i-a-engine-key", "HF_TOKEN", "zs-hf-" + Plans.DEPLOYMENT_ID));

    Secret key = secret("zs-i-a-engine-key");
    assertThat(decoded(key, "VLLM_API_KEY")).isEqualTo(Plans.ENGINE_KEY);
    assertThat(key.getMetadata().getLabels())
        .containsAllEntriesOf(pod.getMetadata().getLabels())
        .containsEntry("zeroscale.io/secret", "engine-key");
    // Garbage-collected with its pod.
    assertThat(key.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Pod");
              assertThat(owner.getName()).isEqualTo("zs-i-a");
              assertThat(owner.getUid()).isNotBlank().isEqualTo(pod.getMetadata().getUid());
            });
    Secret token = secret("zs-hf-" + Plans.DEPLOYMENT_ID);
    assertThat(decoded(token, "HF_TOKEN")).isEqualTo(Plans.TENANT_TOKEN);
    assertThat(token.getMetadata().getOwnerReferences()).isNullOrEmpty();

    // A repeated launch is a no-op; a later instance with a rotated token replaces it.
    runtime.launch(Plans.withTenantToken("i-a")).block(TIMEOUT);
    var rotated =
        new InstancePlan(
            "i-b",
            Plans.withTenantToken("i-b").deployment(),
            "zse_other-key",
            "hf_rotatedToken",
            false);
    runtime.launch(rotated).block(TIMEOUT);
    assertThat(kubelet.managedPods()).hasSize(2);
    assertThat(decoded(secret("zs-hf-" + Plans.DEPLOYMENT_ID), "HF_TOKEN"))
        .isEqualTo("hf_rotatedToken");
    assertThat(decoded(secret("zs-i-a-engine-key"), "VLLM_API_KEY")).isEqualTo(Plans.ENGINE_KEY);
    assertThat(decoded(secret("zs-i-b-engine-key"), "VLLM_API_KEY")).isEqualTo("zse_other-key");
  }

  @Test
  void theAdoptingRuntimeReadsTheEngineKeysBack() {
    runtime.launch(Plans.withPlatformToken("i-a")).block(TIMEOUT);
    runtime.launch(Plans.h100x2("i-open")).block(TIMEOUT);
    Pod pod = kubelet.pod("zs-i-a");
    assertThat(pod.getSpec().getContainers().getFirst().getEnv())
        .filteredOn(e -> e.getName().equals("HF_TOKEN"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo("zeroscale-hf-token");
              assertThat(e.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
            });
    assertThat(fabric8.secrets().inNamespace(NAMESPACE).list().getItems())
        .extracting(secret -> secret.getMetadata().getName())
        .containsExactly("zs-i-a-engine-key");

    Map<String, RuntimeInstance> adopted = byId(newRuntime().list().block(TIMEOUT));
    assertThat(adopted.get("i-a").engineKey()).isEqualTo(Plans.ENGINE_KEY);
    assertThat(adopted.get("i-open").engineKey()).isNull();
    assertThat(adopted.get("i-a").toString()).doesNotContain(Plans.ENGINE_KEY);
  }

  @Test
  void stopDeletesTheKeyAndReleaseTheDeploymentsToken() {
    runtime.launch(Plans.withTenantToken("i-a")).block(TIMEOUT);
    runtime.launch(Plans.withTenantToken("i-b")).block(TIMEOUT);

    StepVerifier.create(runtime.stop("i-a", Duration.ofSeconds(30))).verifyComplete();
    assertThat(secret("zs-i-a-engine-key")).isNull();
    assertThat(secret("zs-i-b-engine-key")).isNotNull();
    // The deployment's token stays while the deployment lives.
    assertThat(secret("zs-hf-" + Plans.DEPLOYMENT_ID)).isNotNull();

    StepVerifier.create(runtime.stop("i-b", Duration.ofSeconds(30))).verifyComplete();
    StepVerifier.create(runtime.release(Plans.DEPLOYMENT_ID)).verifyComplete();
    assertThat(fabric8.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    // Idempotent: released again, or a deployment that never had a token.
    StepVerifier.create(runtime.release(Plans.DEPLOYMENT_ID)).verifyComplete();
    StepVerifier.create(runtime.release("never-deployed")).verifyComplete();
  }

  @Test
  void retainOnlyDeletesTheTokensOfDeploymentsThatAreGoneAndNothingElse() {
    String gone = "9a1b2c3d-0000-4d8e-9d3a-2b1f6c0e9a41";
    var a = Plans.withTenantToken("i-a");
    var b =
        new InstancePlan(
            "i-b", withId(a.deployment(), gone), "zse_other-key", "hf_otherToken", false);
    runtime.launch(a).block(TIMEOUT);
    runtime.launch(b).block(TIMEOUT);
    // Not the runtime's: the platform's token, and a look-alike of another owner.
    fabric8
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("zeroscale-hf-token")
                .endMetadata()
                .addToData("HF_TOKEN", "aGY=")
                .build())
        .create();
    fabric8
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("zs-hf-someone-else")
                .addToLabels("zeroscale.io/secret", "hf-token")
                .endMetadata()
                .addToData("HF_TOKEN", "aGY=")
                .build())
        .create();
    assertThat(secret("zs-hf-" + gone)).isNotNull();

    StepVerifier.create(runtime.retainOnly(Set.of(Plans.DEPLOYMENT_ID))).verifyComplete();
    assertThat(secretNames())
        .containsExactlyInAnyOrder(
            "zs-hf-" + Plans.DEPLOYMENT_ID,
            "zs-i-a-engine-key",
            "zs-i-b-engine-key",
            "zeroscale-hf-token",
            "zs-hf-someone-else");
    // Idempotent.
    StepVerifier.create(runtime.retainOnly(Set.of(Plans.DEPLOYMENT_ID))).verifyComplete();
    assertThat(secretNames()).hasSize(5);

    // No deployment left: every tenant token goes, the engine keys stay with their pods.
    StepVerifier.create(runtime.retainOnly(Set.of())).verifyComplete();
    assertThat(secretNames())
        .containsExactlyInAnyOrder(
            "zs-i-a-engine-key", "zs-i-b-engine-key", "zeroscale-hf-token", "zs-hf-someone-else");
  }

  private List<String> secretNames() {
    return fabric8.secrets().inNamespace(NAMESPACE).list().getItems().stream()
        .map(secret -> secret.getMetadata().getName())
        .toList();
  }

  private static DeploymentSpec withId(DeploymentSpec d, String id) {
    return new DeploymentSpec(
        id,
        d.tenantId(),
        d.tenant(),
        d.modelName(),
        d.family(),
        d.source(),
        d.gpu(),
        d.numGpus(),
        d.maxBatchSize(),
        d.settings(),
        d.status(),
        d.reason(),
        d.version(),
        1,
        EngineOptions.NONE,
        1);
  }

  @Test
  void aKeySecretThatCannotBeCreatedFailsTheLaunchAndTakesThePodBack() {
    dispatcher.failSecretCreates = true;
    StepVerifier.create(runtime.launch(Plans.withPlatformToken("i-a")))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(KubernetesCallException.class)
                    .hasMessageContaining("create secret zs-i-a-engine-key")
                    .hasMessageContaining("HTTP 500"))
        .verify(TIMEOUT);
    // The activator forgets a failed launch: no pod may be left waiting for a key.
    assertThat(kubelet.managedPods()).isEmpty();
    dispatcher.failSecretCreates = false;
    runtime.launch(Plans.withPlatformToken("i-a")).block(TIMEOUT);
    assertThat(secret("zs-i-a-engine-key")).isNotNull();
  }

  @Test
  void podsThatCannotServeAreExitedOrPendingWithTheReason() {
    for (String id : List.of("i-pull", "i-crash", "i-gone", "i-full")) {
      runtime.launch(Plans.h100x2(id)).block(TIMEOUT);
    }
    kubelet.waiting(
        "zs-i-pull",
        "127.0.0.4",
        "ErrImagePull",
        "rpc error: pull access denied for vllm/vllm-openai:v9");
    kubelet.waiting("zs-i-crash", "127.0.0.5", "CrashLoopBackOff", "back-off 5m0s restarting");
    kubelet.exited("zs-i-gone", 1, "Error");
    kubelet.unschedulable(
        "zs-i-full",
        "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
            + " preemption: 0/3 nodes are available: 3 No preemption victims found.");

    Map<String, RuntimeInstance> instances = byId(list());
    assertThat(instances.get("i-pull").phase()).isEqualTo(Phase.EXITED);
    assertThat(instances.get("i-pull").detail())
        .startsWith("image error: ErrImagePull")
        .contains("pull access denied");
    assertThat(instances.get("i-crash").phase()).isEqualTo(Phase.EXITED);
    assertThat(instances.get("i-crash").detail()).startsWith("crash loop: CrashLoopBackOff");
    assertThat(instances.get("i-gone").phase()).isEqualTo(Phase.EXITED);
    assertThat(instances.get("i-gone").detail()).isEqualTo("container exited with code 1 (Error)");
    assertThat(instances.get("i-full").phase()).isEqualTo(Phase.PENDING);
    assertThat(instances.get("i-full").url()).isNull();
    assertThat(instances.get("i-full").detail())
        .startsWith(
            "insufficient GPU capacity: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu");
    assertThat(instances.values()).noneMatch(RuntimeInstance::runtimeReady);
  }

  @Test
  void stopDeletesThePodAndUnknownIdsCompleteAtOnce() {
    runtime.launch(Plans.h100x2("i-a")).block(TIMEOUT);
    runtime.launch(Plans.h100x2("i-b")).block(TIMEOUT);
    kubelet.bind("zs-i-a", "127.0.0.2");

    StepVerifier.create(runtime.stop("i-a", Duration.ofSeconds(30))).verifyComplete();

    assertThat(kubelet.pod("zs-i-a")).isNull();
    assertThat(list()).extracting(RuntimeInstance::instanceId).containsExactly("i-b");
    StepVerifier.create(runtime.stop("i-a", Duration.ofSeconds(30))).verifyComplete();
    StepVerifier.create(runtime.stop("never-launched", Duration.ZERO)).verifyComplete();
    assertThat(kubelet.managedPods()).hasSize(1);
  }

  @Test
  void podsOfOtherOwnersAreNotListed() {
    runtime.launch(Plans.h100x2("i-a")).block(TIMEOUT);
    fabric8
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName("someone-else")
                .addToLabels("app.kubernetes.io/name", "zeroscale-instance")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .build())
        .create();
    assertThat(list()).extracting(RuntimeInstance::instanceId).containsExactly("i-a");
  }

  @Test
  void anUnreachableApiServerIsAnErrorSignal() throws IOException {
    int closedPort = freePort();
    var unreachable =
        new KubernetesRuntime(
            new CoreV1Api(new ApiClient().setBasePath("http://127.0.0.1:" + closedPort)),
            properties);
    StepVerifier.create(unreachable.launch(Plans.h100x2("i-a")))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(KubernetesCallException.class)
                    .hasMessageContaining("create pod zs-i-a in namespace zeroscale failed"))
        .verify(TIMEOUT);
    StepVerifier.create(unreachable.list())
        .expectError(KubernetesCallException.class)
        .verify(TIMEOUT);
  }

  @Test
  void aPlanNoPodCanRunIsAnErrorSignalAndCreatesNothing() {
    var tpu = new InstancePlan("i-tpu", Plans.deployment(Family.LLM, "TPU-v5", 1, 900));
    StepVerifier.create(runtime.launch(tpu))
        .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("TPU-v5"))
        .verify(TIMEOUT);
    assertThat(kubelet.managedPods()).isEmpty();
  }

  private KubernetesRuntime newRuntime() {
    ApiClient client = new ApiClient().setBasePath(server.url("/").replaceAll("/$", ""));
    return new KubernetesRuntime(new CoreV1Api(client), properties);
  }

  /** The CRUD mock, except that it can answer 500 to every Secret create. */
  private static final class SecretFailingDispatcher extends KubernetesCrudDispatcher {
    volatile boolean failSecretCreates;
    volatile String lastLogPath;

    /** A pod's log: the API server's text answer, which the CRUD store does not serve. */
    @Override
    public MockResponse handleGet(String path) {
      if (path.contains("/log")) {
        lastLogPath = path;
        return new MockResponse().setResponseCode(200).setBody("INFO one\nINFO two\n");
      }
      return super.handleGet(path);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      if (failSecretCreates && request.getPath().contains("/secrets")) {
        return new MockResponse()
            .setResponseCode(500)
            .setBody("{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":500}");
      }
      return super.handleCreate(request);
    }
  }

  private Secret secret(String name) {
    return fabric8.secrets().inNamespace(NAMESPACE).withName(name).get();
  }

  private static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private List<RuntimeInstance> list() {
    return runtime.list().block(TIMEOUT);
  }

  private static Map<String, RuntimeInstance> byId(List<RuntimeInstance> instances) {
    return instances.stream()
        .collect(Collectors.toMap(RuntimeInstance::instanceId, Function.identity()));
  }

  private static int httpGet(String url) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).GET().build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }

  private static String httpBody(String url) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).GET().build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  /** A port free on every loopback address (engines bind it on 127.0.0.2, 127.0.0.3, ...). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("0.0.0.0", 0));
      return socket.getLocalPort();
    }
  }
}
