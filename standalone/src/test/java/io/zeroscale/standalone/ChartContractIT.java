package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Secret;
import io.zeroscale.activator.kubernetes.PodTemplates;
import io.zeroscale.gateway.model.hub.StandInHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * The chart ↔ app contract: the environment and arguments the chart renders for the gateway
 * container start the real {@code zeroscale.jar} (issue #17). Secret references are resolved from
 * the Secrets the chart renders, as the kubelet would. The only things this test changes are what a
 * pod has on its own: its ports and {@code ZEROSCALE_HOME} volume (free ones here) and the API
 * server credentials that a pod gets from its service account ({@code KUBECONFIG} pointing at
 * fabric8's CRUD mock API server). PostgreSQL, Redis and the Hugging Face hub are the test's
 * embedded stand-ins, passed in as chart values.
 *
 * <p>It reaches {@code {"status":"UP"}} with the Kubernetes runtime, and a deployment created
 * through the API becomes a pod on the mock server that carries the chart's node selector, the
 * runtime's GPU toleration and the other instance settings the chart gave.
 */
class ChartContractIT {

  private static final String ADMIN = "chart-admin-key-0123456789abcdefghijklmnopq";
  private static final String GPU_NAMESPACE = "gpu-pods";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path tmp;

  @Test
  void theChartsGatewayContainerStartsTheJarOnKubernetesAndItsDeploymentsBecomePods()
      throws Exception {
    StandInHub hub = StandInHub.start();
    hub.add(StandInHub.LLAMA_7B);
    int redisPort = StandaloneProcess.freePort();
    RedisServer redis = TestRedis.on(redisPort);
    redis.start();
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).start();
    KubernetesMockServer apiServer =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    apiServer.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient k8s = apiServer.createClient();
    StandaloneProcess app = null;
    try {
      Path values =
          ChartFixture.valuesFile(
              tmp,
              "contract",
              """
              auth:
                adminKey: %s
                secretsKey: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
              postgresql:
                url: postgresql://127.0.0.1:%d/postgres
                username: postgres
              redis:
                url: redis://127.0.0.1:%d
              app:
                hubUrl: %s
              instances:
                namespace: %s
                containerPort: 8123
                gpuNodeLabel: example.com/gpu-model
                gpuProducts:
                  A100-80GB: a100-test
                images:
                  llm: registry.example.com/vllm-openai:test
                extraArgs: [--gpu-memory-utilization, "0.9"]
                hfToken:
                  secretName: my-hf-token
                terminationGracePeriod: 45s
                runtimeClassName: nvidia
                tolerations:
                  - {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}
                resources:
                  requests: {cpu: "4", memory: 32Gi}
                  limits: {memory: 48Gi}
              """
                  .formatted(ADMIN, pg.getPort(), redisPort, hub.baseUrl(), GPU_NAMESPACE));
      ChartFixture.Rendered chart = ChartFixture.render(values);
      V1Deployment gateway =
          chart.one(V1Deployment.class, "Deployment", ChartFixture.RELEASE + "-zeroscale-gateway");
      V1Container container = gateway.getSpec().getTemplate().getSpec().getContainers().getFirst();

      Map<String, String> env = resolve(container.getEnv(), chart);
      assertThat(env).containsEntry("ZEROSCALE_ACTIVATOR_RUNTIME", "kubernetes");
      // What a pod has on its own, here on this machine.
      int management = StandaloneProcess.freePort();
      env.put("MANAGEMENT_SERVER_PORT", Integer.toString(management));
      env.put("ZEROSCALE_HOME", tmp.resolve("home").toString());
      env.put("KUBECONFIG", kubeconfig(apiServer).toString());
      List<String> args = container.getArgs() == null ? List.of() : container.getArgs();

      app = StandaloneProcess.start(tmp.resolve("home"), env, args);
      String health = app.awaitHealthy(Duration.ofSeconds(120));
      assertThat(health).isEqualTo("{\"status\":\"UP\"}");
      // The kubelet's probes: the management port, no key.
      HttpResponse<String> probe =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + management + "/actuator/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(probe.statusCode()).isEqualTo(200);
      assertThat(probe.body()).contains("\"status\":\"UP\"");
      assertThat(app.output()).contains("Kubernetes runtime: pods in namespace " + GPU_NAMESPACE);
      // The chart's keys were read (nothing generated into the home volume), and no demo tenant.
      assertThat(tmp.resolve("home").resolve("secret-key")).doesNotExist();
      assertThat(tmp.resolve("home").resolve("admin-key")).doesNotExist();
      assertThat(app.output())
          .contains("admin key       : from ZEROSCALE_ADMIN_KEY")
          .doesNotContain("demo tenant key")
          .contains("Picked up JAVA_TOOL_OPTIONS: " + env.get("JAVA_TOOL_OPTIONS"));

      ApiClient api = new ApiClient(app.port);
      assertThat(api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"acme\"}").status())
          .isEqualTo(201);
      ApiClient.Response k =
          api.post(
              "/admin/v1/tenants/acme/keys",
              ADMIN,
              "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:read\","
                  + "\"deployments:write\"]}");
      assertThat(k.status()).as(k.body()).isEqualTo(201);
      String key = k.json().get("secret").asString();
      api.importLlama7b(key, "llama7");
      ApiClient.Response d =
          api.post(
              "/api/v1/deployments",
              key,
              "{\"model_name\":\"chat\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                  + "\"max_batch_size\":8,\"settings\":{\"min_instances\":1,"
                  + "\"max_instances\":1}}");
      assertThat(d.status()).as(d.body()).isEqualTo(201);
      String deploymentId = d.json().get("id").asString();

      StandaloneProcess running = app;
      Pod pod =
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(250))
              .failFast("the app exited:\n" + running.output(), () -> !running.process.isAlive())
              .until(
                  () ->
                      k8s.pods()
                          .inNamespace(GPU_NAMESPACE)
                          .withLabel(PodTemplates.DEPLOYMENT_ID, deploymentId)
                          .list()
                          .getItems(),
                  pods -> pods.size() == 1)
              .getFirst();

      assertThat(pod.getSpec().getNodeSelector())
          .containsExactlyEntriesOf(Map.of("example.com/gpu-model", "a100-test"));
      assertThat(pod.getSpec().getTolerations())
          .extracting(
              Toleration::getKey,
              Toleration::getOperator,
              Toleration::getValue,
              Toleration::getEffect)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("nvidia.com/gpu", "Exists", null, "NoSchedule"),
              org.assertj.core.groups.Tuple.tuple("dedicated", "Equal", "gpu", "NoSchedule"));
      assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("nvidia");
      assertThat(pod.getSpec().getServiceAccountName())
          .isEqualTo(env.get("ZEROSCALE_RUNTIME_KUBERNETES_SERVICEACCOUNT"))
          .isEqualTo(ChartFixture.RELEASE + "-zeroscale-instance");
      assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(45L);
      var engine = pod.getSpec().getContainers().getFirst();
      assertThat(engine.getImage()).isEqualTo("registry.example.com/vllm-openai:test");
      assertThat(engine.getPorts().getFirst().getContainerPort()).isEqualTo(8123);
      assertThat(engine.getArgs()).endsWith("--gpu-memory-utilization", "0.9");
      assertThat(engine.getResources().getLimits().get("nvidia.com/gpu").getAmount())
          .isEqualTo("1");
      assertThat(engine.getResources().getRequests().get("cpu").getAmount()).isEqualTo("4");
      assertThat(engine.getResources().getRequests().get("memory").toString()).isEqualTo("32Gi");
      assertThat(engine.getResources().getLimits().get("memory").toString()).isEqualTo("48Gi");
      // A public model without the tenant's token, and the platform token not allowed: no
      // HF_TOKEN at all (the platform Secret my-hf-token is only for plans that allow it).
      assertThat(engine.getEnv()).noneMatch(e -> e.getName().equals("HF_TOKEN"));
      // The engine key: a reference to the instance's own Secret, owned by the pod.
      String keySecret = pod.getMetadata().getName() + "-engine-key";
      assertThat(engine.getEnv())
          .anySatisfy(
              e -> {
                assertThat(e.getName()).isEqualTo("VLLM_API_KEY");
                assertThat(e.getValue()).isNull();
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(keySecret);
              });
      var secret =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () -> k8s.secrets().inNamespace(GPU_NAMESPACE).withName(keySecret).get(),
                  java.util.Objects::nonNull);
      assertThat(secret.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(pod.getMetadata().getUid()));
      // The chart's NetworkPolicy selects exactly such pods.
      assertThat(pod.getMetadata().getLabels())
          .containsEntry(PodTemplates.MANAGED_BY, PodTemplates.MANAGED_BY_VALUE)
          .containsEntry(PodTemplates.NAME, PodTemplates.NAME_VALUE);

      // SIGTERM: the leader activator stops the instance it started, here too.
      assertThat(app.terminate(Duration.ofSeconds(120))).isIn(0, 143);
      assertThat(k8s.pods().inNamespace(GPU_NAMESPACE).list().getItems()).isEmpty();
      assertThat(k8s.secrets().inNamespace(GPU_NAMESPACE).list().getItems()).isEmpty();
    } finally {
      if (app != null) {
        app.close();
      }
      k8s.close();
      apiServer.destroy();
      pg.close();
      redis.stop();
      hub.close();
    }
  }

  /**
   * The container's environment as the kubelet resolves it: literal values, and secret references
   * from the Secrets the chart rendered (the contract test renders all of them itself).
   */
  private static Map<String, String> resolve(List<V1EnvVar> vars, ChartFixture.Rendered chart) {
    Map<String, V1Secret> secrets = new HashMap<>();
    for (Map<String, Object> doc : chart.all("Secret")) {
      V1Secret s = (V1Secret) ChartFixture.typed(doc);
      secrets.put(s.getMetadata().getName(), s);
    }
    Map<String, String> env = new LinkedHashMap<>();
    List<String> unresolved = new ArrayList<>();
    for (V1EnvVar v : vars) {
      if (v.getValueFrom() == null) {
        env.put(v.getName(), v.getValue() == null ? "" : v.getValue());
        continue;
      }
      var ref = v.getValueFrom().getSecretKeyRef();
      V1Secret s = ref == null ? null : secrets.get(ref.getName());
      if (s == null || s.getData() == null || !s.getData().containsKey(ref.getKey())) {
        unresolved.add(v.getName());
        continue;
      }
      env.put(v.getName(), new String(s.getData().get(ref.getKey()), StandardCharsets.UTF_8));
    }
    assertThat(unresolved).as("env without a value or a rendered Secret").isEmpty();
    return env;
  }

  private Path kubeconfig(KubernetesMockServer server) throws java.io.IOException {
    String url = server.url("/").replaceAll("/$", "");
    return Files.writeString(
        tmp.resolve("kubeconfig"),
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        users:
        - name: mock
          user:
            token: not-checked
        contexts:
        - name: mock
          context:
            cluster: mock
            user: mock
        current-context: mock
        """
            .formatted(url));
  }
}
