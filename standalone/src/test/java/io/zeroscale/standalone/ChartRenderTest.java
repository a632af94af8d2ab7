package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.zeroscale.activator.ActivatorProperties;
import io.zeroscale.activator.kubernetes.PodTemplates;
import io.zeroscale.activator.process.ProcessRuntimeProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Helm chart, linted and rendered (no cluster, no Spring context) for its default values and
 * the three installations of {@code ci/}: every object is checked against the typed Kubernetes
 * model, and the objects against each other and against what the app reads (issue #17).
 */
class ChartRenderTest {

  private static final String FULL = ChartFixture.RELEASE + "-zeroscale";
  private static final List<String> SECRET_ENV =
      List.of(
          "ZEROSCALE_ADMIN_KEY",
          "ZEROSCALE_SECRETS_KEY",
          "ZEROSCALE_POSTGRES_URL",
          "ZEROSCALE_POSTGRES_USERNAME",
          "ZEROSCALE_POSTGRES_PASSWORD",
          "ZEROSCALE_REDIS_URL");

  private static ChartFixture.Rendered defaults;
  private static ChartFixture.Rendered split;
  private static ChartFixture.Rendered ingress;
  private static ChartFixture.Rendered existing;

  @BeforeAll
  static void render() {
    defaults = ChartFixture.render();
    split = ChartFixture.render(ChartFixture.SPLIT);
    ingress = ChartFixture.render(ChartFixture.INGRESS);
    existing = ChartFixture.render(ChartFixture.EXISTING_SECRETS);
  }

  static Stream<String> installations() {
    return Stream.of("defaults", "split", "ingress", "existing");
  }

  private static ChartFixture.Rendered installation(String name) {
    return switch (name) {
      case "defaults" -> defaults;
      case "split" -> split;
      case "ingress" -> ingress;
      default -> existing;
    };
  }

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(ChartFixture.DIR).lint().strict().call();
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  /** The ci/ installations linted too: their values merged into a copy of the chart. */
  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void lintsCleanInStrictModeWithEachCiValuesFile(Path valuesFile, @TempDir Path dir)
      throws Exception {
    Path chart = ChartFixture.withValues(dir, valuesFile);
    LintResult lint = new Helm(chart).lint().strict().call();
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    // The merge really took: the linted values are the installation's.
    assertThat(Files.readString(chart.resolve("values.yaml")))
        .contains(
            new org.yaml.snakeyaml.Yaml()
                .<Map<String, Object>>load(Files.readString(valuesFile))
                .keySet()
                .iterator()
                .next());
  }

  static Stream<Path> ciValuesFiles() {
    return Stream.of(ChartFixture.SPLIT, ChartFixture.INGRESS, ChartFixture.EXISTING_SECRETS);
  }

  @ParameterizedTest
  @MethodSource("installations")
  void everyRenderedObjectParsesIntoTheTypedModelWithNoUnknownField(String name) {
    ChartFixture.Rendered r = installation(name);
    assertThat(r.docs()).isNotEmpty();
    for (Map<String, Object> doc : r.docs()) {
      // Throws on an unknown field, and on a kind the chart has no business rendering
      // (a ConfigMap included: settings that are secrets never go into one).
      assertThat(ChartFixture.typed(doc)).isNotNull();
    }
  }

  @Test
  void anUnknownFieldIsCaughtByTheTypedParse() {
    Map<String, Object> deployment = mutableCopy(gatewayDoc(defaults));
    container(deployment).put("imagePullPolicyy", "Always");
    assertThatThrownBy(() -> ChartFixture.typed(deployment))
        .hasMessageContaining("imagePullPolicyy");

    Map<String, Object> role = mutableCopy(defaults.all("Role").getFirst());
    role.put("rule", List.of());
    assertThatThrownBy(() -> ChartFixture.typed(role)).hasMessageContaining("rule");

    Map<String, Object> monitor = mutableCopy(split.all("ServiceMonitor").getFirst());
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) monitor.get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint =
        (Map<String, Object>) ((List<Object>) spec.get("endpoints")).getFirst();
    endpoint.put("bearerTokenFilee", "/x");
    assertThatThrownBy(() -> ChartFixture.typed(monitor)).hasMessageContaining("bearerTokenFilee");
    // and the untouched ones parse
    assertThat(ChartFixture.typed(gatewayDoc(defaults))).isInstanceOf(V1Deployment.class);
  }

  @Test
  void theGatewayIsHighlyAvailableProbedOnActuatorHealthAndDrainsLongEnough() {
    V1Deployment gw = defaults.one(V1Deployment.class, "Deployment", FULL + "-gateway");
    assertThat(gw.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(gw.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntValue())
        .isZero();
    var podLabels = gw.getSpec().getTemplate().getMetadata().getLabels();
    var anti =
        gw.getSpec()
            .getTemplate()
            .getSpec()
            .getAffinity()
            .getPodAntiAffinity()
            .getPreferredDuringSchedulingIgnoredDuringExecution()
            .getFirst()
            .getPodAffinityTerm();
    assertThat(anti.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(matches(anti.getLabelSelector(), podLabels)).isTrue();

    V1PodDisruptionBudget pdb =
        defaults.one(V1PodDisruptionBudget.class, "PodDisruptionBudget", FULL + "-gateway");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntValue()).isEqualTo(1);
    assertThat(matches(pdb.getSpec().getSelector(), podLabels)).isTrue();

    V1Service svc = defaults.one(V1Service.class, "Service", FULL);
    assertThat(podLabels).containsAllEntriesOf(svc.getSpec().getSelector());
    assertThat(svc.getSpec().getPorts().getFirst().getTargetPort().getStrValue()).isEqualTo("http");

    V1Container c = gw.getSpec().getTemplate().getSpec().getContainers().getFirst();
    Map<String, V1EnvVar> env = env(c);
    int management = Integer.parseInt(env.get("MANAGEMENT_SERVER_PORT").getValue());
    int http = Integer.parseInt(env.get("SERVER_PORT").getValue());
    assertThat(port(c, "management")).isEqualTo(management);
    assertThat(port(c, "http")).isEqualTo(http);
    for (var probe : List.of(c.getReadinessProbe(), c.getStartupProbe())) {
      // Public on the management port too (docs/api.md): no key needed by the kubelet.
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/actuator/health");
      assertThat(probe.getHttpGet().getPort().getStrValue()).isEqualTo("management");
    }
    assertThat(c.getLivenessProbe().getTcpSocket().getPort().getStrValue()).isEqualTo("http");

    // SIGTERM → preStop sleep → the web server drains (one shutdown phase) → the leader
    // activator drains and stops its instances (shutdown-drain + stop grace + its 15 s margin).
    long preStop = Long.parseLong(c.getLifecycle().getPreStop().getExec().getCommand().get(1));
    Duration phase =
        DurationStyle.detectAndParse(
            env.get("SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE").getValue());
    Duration activator =
        defaultOf(ActivatorProperties.class, "shutdownDrain")
            .plus(defaultOf(ProcessRuntimeProperties.class, "stopGrace"))
            .plusSeconds(15);
    long needed = preStop + phase.toSeconds() + activator.toSeconds();
    assertThat(gw.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .as("terminationGracePeriodSeconds covers %s s", needed)
        .isGreaterThanOrEqualTo(needed);

    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(gw.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isTrue();
    assertThat(c.getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .contains("/tmp", env.get("ZEROSCALE_HOME").getValue());
    assertThat(gw.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", Integer.toString(management))
        .containsEntry("prometheus.io/path", "/actuator/prometheus");
    assertThat(env.get("ZEROSCALE_ACTIVATOR_RUNTIME").getValue()).isEqualTo("kubernetes");
    assertThat(env.get("ZEROSCALE_ACTIVATOR_ENABLED").getValue()).isEqualTo("true");
    assertThat(defaults.all("HorizontalPodAutoscaler")).isEmpty();
    assertThat(defaults.all("Ingress")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("installations")
  void secretsComeOnlyFromSecretsThatHaveTheirKeys(String name) {
    ChartFixture.Rendered r = installation(name);
    Map<String, V1Secret> secrets = new LinkedHashMap<>();
    for (Map<String, Object> doc : r.all("Secret")) {
      V1Secret s = (V1Secret) ChartFixture.typed(doc);
      secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    }
    for (Map<String, Object> doc : r.all("Deployment")) {
      V1Deployment d = (V1Deployment) ChartFixture.typed(doc);
      for (V1EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()) {
        if (!SECRET_ENV.contains(e.getName())) {
          continue;
        }
        assertThat(e.getValue()).as(e.getName()).isNull();
        var ref = e.getValueFrom().getSecretKeyRef();
        V1Secret s = secrets.get(ChartFixture.NAMESPACE + "/" + ref.getName());
        if (name.equals("existing")) {
          assertThat(s).as("operator-managed Secret %s is not rendered", ref.getName()).isNull();
          assertThat(ref.getName()).isIn("zeroscale-keys", "zeroscale-db", "zeroscale-redis");
        } else {
          assertThat(s).as("Secret %s for %s", ref.getName(), e.getName()).isNotNull();
          assertThat(s.getData()).as(e.getName()).containsKey(ref.getKey());
        }
      }
    }
    if (name.equals("existing")) {
      assertThat(secrets).isEmpty();
    }
  }

  @Test
  void generatedKeysAreStrongEnoughForTheAppAndKeptByHelm() {
    V1Secret generated = defaults.one(V1Secret.class, "Secret", FULL + "-generated");
    assertThat(generated.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    String admin =
        new String(generated.getData().get("ZEROSCALE_ADMIN_KEY"), StandardCharsets.UTF_8);
    assertThat(admin).hasSizeGreaterThanOrEqualTo(32);
    String secretsKey =
        new String(generated.getData().get("ZEROSCALE_SECRETS_KEY"), StandardCharsets.UTF_8);
    assertThat(Base64.getDecoder().decode(secretsKey)).hasSize(32);
    // Given keys go into the chart's own Secret instead, and nothing is generated.
    assertThat(split.all("Secret"))
        .extracting(d -> ((V1Secret) ChartFixture.typed(d)).getMetadata().getName())
        .containsExactlyInAnyOrder(FULL, "zeroscale-hf-token");
  }

  @Test
  void theActivatorAndAutoscalerCanRunInTheirOwnDeployment() {
    V1Deployment gw = split.one(V1Deployment.class, "Deployment", FULL + "-gateway");
    V1Deployment ctl = split.one(V1Deployment.class, "Deployment", FULL + "-controller");
    Map<String, V1EnvVar> gwEnv =
        env(gw.getSpec().getTemplate().getSpec().getContainers().getFirst());
    Map<String, V1EnvVar> ctlEnv =
        env(ctl.getSpec().getTemplate().getSpec().getContainers().getFirst());
    assertThat(gwEnv.get("ZEROSCALE_ACTIVATOR_ENABLED").getValue()).isEqualTo("false");
    assertThat(gwEnv.get("ZEROSCALE_AUTOSCALER_ENABLED").getValue()).isEqualTo("false");
    assertThat(ctlEnv.get("ZEROSCALE_ACTIVATOR_ENABLED").getValue()).isEqualTo("true");
    assertThat(ctlEnv.get("ZEROSCALE_AUTOSCALER_ENABLED").getValue()).isEqualTo("true");
    assertThat(gw.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(ctl.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isTrue();
    assertThat(ctl.getSpec().getReplicas()).isEqualTo(2);
    // The HPA owns the gateway's replica count.
    assertThat(gw.getSpec().getReplicas()).isNull();
    V2HorizontalPodAutoscaler hpa =
        split.one(V2HorizontalPodAutoscaler.class, "HorizontalPodAutoscaler", FULL + "-gateway");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(FULL + "-gateway");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
    assertThat(
            gw.getSpec()
                .getTemplate()
                .getSpec()
                .getAffinity()
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    // The Service reaches gateways only.
    V1Service svc = split.one(V1Service.class, "Service", FULL);
    assertThat(ctl.getSpec().getTemplate().getMetadata().getLabels())
        .doesNotContainEntry("app.kubernetes.io/component", "gateway");
    assertThat(gw.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(svc.getSpec().getSelector());
    assertThat(split.all("PodDisruptionBudget")).hasSize(2);

    // The runtime's settings, in the instances namespace, as the runtime binds them.
    assertThat(ctlEnv.get("ZEROSCALE_RUNTIME_KUBERNETES_NAMESPACE").getValue())
        .isEqualTo("zeroscale-gpu");
    assertThat(ctlEnv.get("ZEROSCALE_RUNTIME_KUBERNETES_GPUNODELABEL").getValue())
        .isEqualTo("cloud.example.com/gpu-model");
    assertThat(ctlEnv.get("ZEROSCALE_RUNTIME_KUBERNETES_IMAGES_LLM").getValue())
        .isEqualTo("registry.example.com/vllm/vllm-openai:v0.11.0");
    assertThat(ctl.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
        .containsExactly(
            "--zeroscale.runtime.kubernetes.gpu-products[A100-80GB]=NVIDIA-A100-PCIE-80GB",
            "--zeroscale.runtime.kubernetes.gpu-products[H100-80GB]=h100-sxm",
            "--zeroscale.runtime.kubernetes.extra-args[0]=--gpu-memory-utilization",
            "--zeroscale.runtime.kubernetes.extra-args[1]=0.92",
            "--zeroscale.runtime.kubernetes.tolerations[0].key=dedicated",
            "--zeroscale.runtime.kubernetes.tolerations[0].operator=Equal",
            "--zeroscale.runtime.kubernetes.tolerations[0].value=gpu",
            "--zeroscale.runtime.kubernetes.tolerations[0].effect=NoSchedule",
            "--zeroscale.runtime.kubernetes.tolerations[1].key=node.kubernetes.io/unreachable",
            "--zeroscale.runtime.kubernetes.tolerations[1].operator=Exists",
            "--zeroscale.runtime.kubernetes.tolerations[1].effect=NoExecute",
            "--zeroscale.runtime.kubernetes.tolerations[1].toleration-seconds=300",
            "--zeroscale.runtime.kubernetes.resources.requests[cpu]=8",
            "--zeroscale.runtime.kubernetes.resources.requests[memory]=64Gi",
            "--zeroscale.runtime.kubernetes.resources.limits[memory]=96Gi");
    assertThat(ctlEnv.get("ZEROSCALE_RUNTIME_KUBERNETES_RUNTIMECLASSNAME").getValue())
        .isEqualTo("nvidia");
    V1Role role = split.one(V1Role.class, "Role", FULL + "-activator");
    assertThat(role.getMetadata().getNamespace()).isEqualTo("zeroscale-gpu");
    V1RoleBinding binding = split.one(V1RoleBinding.class, "RoleBinding", FULL + "-activator");
    assertThat(binding.getMetadata().getNamespace()).isEqualTo("zeroscale-gpu");
    assertThat(binding.getSubjects().getFirst().getNamespace()).isEqualTo(ChartFixture.NAMESPACE);
    assertThat(binding.getSubjects().getFirst().getName())
        .isEqualTo(ctl.getSpec().getTemplate().getSpec().getServiceAccountName());
    V1Secret hf = split.one(V1Secret.class, "Secret", "zeroscale-hf-token");
    assertThat(hf.getMetadata().getNamespace()).isEqualTo("zeroscale-gpu");
    assertThat(hf.getData()).containsKey("HF_TOKEN");
  }

  @Test
  void onlyZeroscalePodsMayReachInstancePods() {
    for (var r : List.of(defaults, split)) {
      V1NetworkPolicy np = r.one(V1NetworkPolicy.class, "NetworkPolicy", FULL + "-instances");
      // The labels the runtime puts on every instance pod.
      assertThat(np.getSpec().getPodSelector().getMatchLabels())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  PodTemplates.MANAGED_BY, PodTemplates.MANAGED_BY_VALUE,
                  PodTemplates.NAME, PodTemplates.NAME_VALUE));
      assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress");
      assertThat(np.getSpec().getIngress()).hasSize(1);
      var rule = np.getSpec().getIngress().getFirst();
      assertThat(rule.getPorts().getFirst().getPort().getIntValue()).isEqualTo(8000);
      V1NetworkPolicyPeer peer = rule.getFrom().getFirst();
      assertThat(peer.getNamespaceSelector().getMatchLabels())
          .containsEntry("kubernetes.io/metadata.name", ChartFixture.NAMESPACE);
      for (Map<String, Object> doc : r.all("Deployment")) {
        V1Deployment d = (V1Deployment) ChartFixture.typed(doc);
        assertThat(
                matches(peer.getPodSelector(), d.getSpec().getTemplate().getMetadata().getLabels()))
            .as(d.getMetadata().getName())
            .isTrue();
      }
      // Not another release's pods, nor the instance pods themselves.
      assertThat(
              matches(
                  peer.getPodSelector(),
                  Map.of(
                      "app.kubernetes.io/name", "zeroscale",
                      "app.kubernetes.io/instance", "other",
                      "app.kubernetes.io/component", "gateway")))
          .isFalse();
      assertThat(
              matches(
                  peer.getPodSelector(),
                  Map.of(
                      PodTemplates.MANAGED_BY, PodTemplates.MANAGED_BY_VALUE,
                      PodTemplates.NAME, PodTemplates.NAME_VALUE)))
          .isFalse();
    }
    // The chart's own pods never carry the runtime's adoption label.
    for (Map<String, Object> doc : split.all("Deployment")) {
      V1Deployment d = (V1Deployment) ChartFixture.typed(doc);
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
          .doesNotContainEntry(PodTemplates.MANAGED_BY, PodTemplates.MANAGED_BY_VALUE);
    }
  }

  @Test
  void theIngressRoutesToTheServiceWithTheSseSettings() {
    V1Ingress ing = ingress.one(V1Ingress.class, "Ingress", FULL);
    assertThat(ing.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ing.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600");
    var backend = ing.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend();
    V1Service svc = ingress.one(V1Service.class, "Service", FULL);
    assertThat(backend.getService().getName()).isEqualTo(svc.getMetadata().getName());
    assertThat(svc.getSpec().getPorts())
        .extracting(p -> p.getName())
        .contains(backend.getService().getPort().getName());
    assertThat(ing.getSpec().getTls().getFirst().getSecretName()).isEqualTo("zeroscale-tls");
    V1PodDisruptionBudget pdb =
        ingress.one(V1PodDisruptionBudget.class, "PodDisruptionBudget", FULL + "-gateway");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntValue()).isZero();
    V1Deployment gw = ingress.one(V1Deployment.class, "Deployment", FULL + "-gateway");
    assertThat(gw.getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKey("prometheus.io/scrape");
  }

  @Test
  void existingSecretsAndServiceAccountsAreReferencedNotRendered() {
    V1Deployment gw = existing.one(V1Deployment.class, "Deployment", FULL + "-gateway");
    Map<String, V1EnvVar> env =
        env(gw.getSpec().getTemplate().getSpec().getContainers().getFirst());
    assertThat(ref(env, "ZEROSCALE_ADMIN_KEY")).isEqualTo("zeroscale-keys/ZEROSCALE_ADMIN_KEY");
    assertThat(ref(env, "ZEROSCALE_SECRETS_KEY")).isEqualTo("zeroscale-keys/ZEROSCALE_SECRETS_KEY");
    assertThat(ref(env, "ZEROSCALE_POSTGRES_URL")).isEqualTo("zeroscale-db/url");
    assertThat(ref(env, "ZEROSCALE_POSTGRES_USERNAME")).isEqualTo("zeroscale-db/user");
    assertThat(ref(env, "ZEROSCALE_POSTGRES_PASSWORD")).isEqualTo("zeroscale-db/password");
    assertThat(ref(env, "ZEROSCALE_REDIS_URL")).isEqualTo("zeroscale-redis/url");
    assertThat(existing.all("ServiceAccount")).isEmpty();
    assertThat(gw.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("zeroscale-existing");
    assertThat(env.get("ZEROSCALE_RUNTIME_KUBERNETES_SERVICEACCOUNT").getValue())
        .isEqualTo("gpu-workloads");
    assertThat(env.get("ZEROSCALE_RUNTIME_KUBERNETES_HFTOKENSECRET").getValue()).isEmpty();
    V1RoleBinding binding = existing.one(V1RoleBinding.class, "RoleBinding", FULL + "-activator");
    assertThat(binding.getSubjects().getFirst().getName()).isEqualTo("zeroscale-existing");
    V1NetworkPolicy np = existing.one(V1NetworkPolicy.class, "NetworkPolicy", FULL + "-instances");
    assertThat(np.getSpec().getIngress().getFirst().getFrom()).hasSize(2);
  }

  @Test
  void theServiceMonitorScrapesTheManagementPortOfEveryZeroscalePodWithTheMetricsKey() {
    ServiceMonitor sm = split.one(ServiceMonitor.class, "ServiceMonitor", FULL);
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prometheus");
    var endpoint = sm.getSpec().getEndpoints().getFirst();
    assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
    assertThat(endpoint.getAuthorization().getCredentials().getName())
        .isEqualTo("zeroscale-metrics-key");
    V1Service metrics = split.one(V1Service.class, "Service", FULL + "-metrics");
    assertThat(metrics.getMetadata().getLabels())
        .containsAllEntriesOf(sm.getSpec().getSelector().getMatchLabels());
    assertThat(metrics.getSpec().getPorts().getFirst().getName()).isEqualTo(endpoint.getPort());
    for (Map<String, Object> doc : split.all("Deployment")) {
      V1Deployment d = (V1Deployment) ChartFixture.typed(doc);
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(metrics.getSpec().getSelector());
    }
    assertThat(defaults.all("ServiceMonitor")).isEmpty();
  }

  /**
   * The dashboard ships as a ConfigMap for Grafana's sidecar only when asked, byte for byte the
   * chart's dashboards/zeroscale.json (which OperatorMetricsIT checks against a live scrape).
   */
  @Test
  void theGrafanaDashboardShipsAsALabelledConfigMapWhenEnabled() throws Exception {
    V1ConfigMap cm = split.one(V1ConfigMap.class, "ConfigMap", FULL + "-dashboard");
    assertThat(cm.getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1")
        .containsEntry("grafana_folder", "zeroscale");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo(ChartFixture.NAMESPACE);
    String json = cm.getData().get("zeroscale.json");
    assertThat(json)
        .isEqualTo(Files.readString(ChartFixture.DIR.resolve("dashboards/zeroscale.json")).strip());
    JsonNode dashboard = tools.jackson.databind.json.JsonMapper.builder().build().readTree(json);
    assertThat(dashboard.get("uid").asString()).isEqualTo("zeroscale-operations");
    assertThat(dashboard.get("panels").size()).isGreaterThan(10);
    assertThat(defaults.all("ConfigMap"))
        .noneMatch(d -> String.valueOf(d.get("metadata")).contains("-dashboard"));
  }

  @Test
  void tracingIsOnWithBootsOwnPropertiesOnlyWhenAnEndpointIsGiven() {
    for (String name : List.of(FULL + "-gateway", FULL + "-controller")) {
      Map<String, V1EnvVar> env =
          env(
              split
                  .one(V1Deployment.class, "Deployment", name)
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .getFirst());
      assertThat(env.get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT").getValue())
          .as(name)
          .isEqualTo("http://otel-collector.observability:4318/v1/traces");
      assertThat(env.get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY").getValue())
          .as(name)
          .isEqualTo("0.25");
    }
    // Without an endpoint nothing is set: the jar's own default (probability 0.0, no exporter).
    Map<String, V1EnvVar> off =
        env(
            defaults
                .one(V1Deployment.class, "Deployment", FULL + "-gateway")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst());
    assertThat(off.keySet()).noneMatch(k -> k.startsWith("MANAGEMENT_TRACING"));
    assertThat(off.keySet()).noneMatch(k -> k.startsWith("MANAGEMENT_OPENTELEMETRY"));
  }

  /** Every key of values.yaml has a comment right above it, and a place in the schema. */
  @Test
  void everyValuesKeyIsDocumentedAndInTheSchema() throws Exception {
    List<String> lines = Files.readAllLines(ChartFixture.DIR.resolve("values.yaml"));
    List<String> undocumented = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.strip();
      if (trimmed.isEmpty()
          || trimmed.startsWith("#")
          || !trimmed.matches("^(- )?[A-Za-z][\\w-]*:.*")) {
        continue;
      }
      // A key inside a flow value or a list item's later keys follow their documented sibling.
      String prev = i == 0 ? "" : lines.get(i - 1).strip();
      boolean listContinuation = !trimmed.startsWith("- ") && prev.startsWith("- ");
      if (!prev.startsWith("#") && !listContinuation && !isMapDefaultChild(lines, i)) {
        undocumented.add((i + 1) + ": " + line);
      }
    }
    assertThat(undocumented).as("values.yaml keys without a comment").isEmpty();

    JsonNode schema =
        JsonMapper.builder()
            .build()
            .readTree(ChartFixture.DIR.resolve("values.schema.json").toFile());
    assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
    Map<String, Object> values =
        new org.yaml.snakeyaml.Yaml()
            .load(Files.readString(ChartFixture.DIR.resolve("values.yaml")));
    List<String> missing = new ArrayList<>();
    inSchema(values, schema, "", missing);
    assertThat(missing).as("values without a schema entry").isEmpty();
  }

  /**
   * Children of a documented default map (resources, security contexts): their parent's comment
   * documents them.
   */
  private static boolean isMapDefaultChild(List<String> lines, int i) {
    int indent = indent(lines.get(i));
    for (int j = i - 1; j >= 0; j--) {
      String l = lines.get(j);
      if (l.isBlank() || l.strip().startsWith("#")) {
        continue;
      }
      if (indent(l) < indent) {
        String key = l.strip().replaceFirst("^- ", "").split(":")[0];
        return List.of(
                "resources",
                "requests",
                "limits",
                "podSecurityContext",
                "securityContext",
                "seccompProfile",
                "capabilities")
            .contains(key);
      }
    }
    return false;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  private static void inSchema(Object value, JsonNode schema, String path, List<String> missing) {
    if (!(value instanceof Map<?, ?> map)) {
      if (value instanceof List<?> list && schema.has("items")) {
        for (Object item : list) {
          inSchema(item, schema.get("items"), path + "[]", missing);
        }
      }
      return;
    }
    JsonNode props = schema.get("properties");
    if (props == null) {
      return; // a free-form map (annotations, resources, ...)
    }
    for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
      JsonNode child = props.get(e.getKey());
      if (child == null) {
        missing.add(path + "." + e.getKey());
      } else {
        inSchema(e.getValue(), child, path + "." + e.getKey(), missing);
      }
    }
  }

  // --- helpers ---

  private static Map<String, Object> gatewayDoc(ChartFixture.Rendered r) {
    return r.all("Deployment").stream()
        .filter(d -> ((Map<?, ?>) d.get("metadata")).get("name").equals(FULL + "-gateway"))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> container(Map<String, Object> deployment) {
    Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
    Map<String, Object> template = (Map<String, Object>) spec.get("template");
    Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
    return (Map<String, Object>) ((List<Object>) podSpec.get("containers")).getFirst();
  }

  @SuppressWarnings("unchecked")
  private static <T> T mutableCopy(T o) {
    if (o instanceof Map<?, ?> m) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(k, mutableCopy(v)));
      return (T) copy;
    }
    if (o instanceof List<?> l) {
      List<Object> copy = new ArrayList<>();
      l.forEach(v -> copy.add(mutableCopy(v)));
      return (T) copy;
    }
    return o;
  }

  static Map<String, V1EnvVar> env(V1Container c) {
    Map<String, V1EnvVar> env = new LinkedHashMap<>();
    c.getEnv().forEach(e -> env.put(e.getName(), e));
    return env;
  }

  private static String ref(Map<String, V1EnvVar> env, String name) {
    var r = env.get(name).getValueFrom().getSecretKeyRef();
    return r.getName() + "/" + r.getKey();
  }

  private static int port(V1Container c, String name) {
    return c.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .findFirst()
        .orElseThrow()
        .getContainerPort();
  }

  /** A label selector (matchLabels and In/NotIn/Exists expressions) against labels. */
  static boolean matches(V1LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null
        && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
      return false;
    }
    if (selector.getMatchExpressions() != null) {
      for (var e : selector.getMatchExpressions()) {
        String v = labels.get(e.getKey());
        boolean ok =
            switch (e.getOperator()) {
              case "In" -> v != null && e.getValues().contains(v);
              case "NotIn" -> v == null || !e.getValues().contains(v);
              case "Exists" -> v != null;
              case "DoesNotExist" -> v == null;
              default -> throw new IllegalArgumentException(e.getOperator());
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** The {@code @DefaultValue} of a record component, as a duration: the app's own default. */
  private static Duration defaultOf(Class<? extends Record> type, String component) {
    var components = type.getRecordComponents();
    Class<?>[] types = Stream.of(components).map(r -> r.getType()).toArray(Class<?>[]::new);
    for (int i = 0; i < components.length; i++) {
      if (components[i].getName().equals(component)) {
        // On a record, the annotation is on the canonical constructor's parameter.
        try {
          DefaultValue d =
              type.getDeclaredConstructor(types)
                  .getParameters()[i]
                  .getAnnotation(DefaultValue.class);
          return DurationStyle.detectAndParse(d.value()[0]);
        } catch (NoSuchMethodException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalArgumentException(type + " has no " + component);
  }
}
