package io.zeroscale.activator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V1Volume;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplatesTest {

  private static final KubernetesRuntimeProperties DEFAULTS =
      KubernetesRuntimeProperties.defaults();

  @Test
  void podForAnH100TimesTwoDeployment() {
    V1Pod pod = PodTemplates.pod(Plans.h100x2("i-42"), DEFAULTS);

    assertThat(pod.getMetadata().getName()).isEqualTo("zs-i-42");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("zeroscale");
    assertThat(pod.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "app.kubernetes.io/managed-by", "zeroscale",
                "app.kubernetes.io/name", "zeroscale-instance",
                "zeroscale.io/instance-id", "i-42",
                "zeroscale.io/deployment-id", Plans.DEPLOYMENT_ID,
                "zeroscale.io/tenant-id", Plans.TENANT_ID,
                "zeroscale.io/revision", "1"));
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("zeroscale.io/deployment-name", "acme/llama-8b")
        .containsEntry("zeroscale.io/gpu", "H100-80GB")
        .containsEntry("zeroscale.io/num-gpus", "2")
        .containsEntry("zeroscale.io/instance-id", "i-42");

    V1PodSpec spec = pod.getSpec();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(120L);
    assertThat(spec.getNodeSelector())
        .containsExactly(Map.entry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"));
    assertThat(spec.getTolerations())
        .containsExactly(
            new V1Toleration().key("nvidia.com/gpu").operator("Exists").effect("NoSchedule"));
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getServiceAccountName()).isNull();

    assertThat(spec.getContainers()).hasSize(1);
    V1Container engine = spec.getContainers().getFirst();
    assertThat(engine.getImage()).isEqualTo("vllm/vllm-openai:v0.11.0");
    assertThat(engine.getResources().getLimits())
        .containsExactly(Map.entry("nvidia.com/gpu", new Quantity("2")));
    assertThat(engine.getResources().getRequests()).isEqualTo(engine.getResources().getLimits());
    assertThat(engine.getPorts().getFirst().getContainerPort()).isEqualTo(8000);

    assertThat(engine.getCommand()).containsExactly("vllm");
    assertThat(engine.getArgs())
        .containsExactly(
            "serve",
            "meta-llama/Llama-3.1-8B-Instruct",
            "--revision",
            "0e9e39f",
            "--port",
            "8000",
            "--max-num-seqs",
            "64",
            "--tensor-parallel-size",
            "2",
            "--served-model-name",
            "llama-8b",
            "acme/llama-8b");

    assertProbe(engine.getReadinessProbe(), 5, 3);
    // 900 s of activation timeout = 90 startup checks 10 s apart.
    assertProbe(engine.getStartupProbe(), 10, 90);
    assertProbe(engine.getLivenessProbe(), 10, 6);

    // A plan without key or token: neither variable, not even the platform's token reference.
    assertThat(engine.getEnv()).extracting(V1EnvVar::getName).containsExactly("HF_HOME");
    assertThat(env(engine, "HF_HOME").getValue()).isEqualTo("/root/.cache/huggingface");
    assertThat(spec.getRuntimeClassName()).isNull();

    V1Volume shm = volume(spec, "dshm");
    assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
    assertThat(engine.getVolumeMounts())
        .anySatisfy(
            mount -> {
              assertThat(mount.getName()).isEqualTo("dshm");
              assertThat(mount.getMountPath()).isEqualTo("/dev/shm");
            });
  }

  @Test
  void theKeyAndTheTenantTokenAreSecretReferencesNeverValues() {
    InstancePlan plan = Plans.withTenantToken("i-42");
    V1Pod pod = PodTemplates.pod(plan, DEFAULTS);
    V1Container engine = pod.getSpec().getContainers().getFirst();

    V1EnvVar key = env(engine, "VLLM_API_KEY");
    assertThat(key.getValue()).isNull();
    assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("zs-i-42-engine-key");
    assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("VLLM_API_KEY");
    assertThat(key.getValueFrom().getSecretKeyRef().getOptional()).isNull();
    V1EnvVar token = env(engine, "HF_TOKEN");
    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("zs-hf-" + Plans.DEPLOYMENT_ID);
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("HF_TOKEN");
    assertThat(token.getValueFrom().getSecretKeyRef().getOptional()).isNull();
    // Not the platform's Secret: the tenant's model downloads with the tenant's token only.
    assertThat(new JSON().serialize(pod))
        .doesNotContain(Plans.ENGINE_KEY)
        .doesNotContain(Plans.TENANT_TOKEN)
        .doesNotContain("zeroscale-hf-token");

    V1Secret keySecret =
        PodTemplates.engineKeySecret(
            plan, DEFAULTS, pod.metadata(pod.getMetadata().uid("uid-of-the-pod")));
    assertThat(keySecret.getMetadata().getName()).isEqualTo("zs-i-42-engine-key");
    assertThat(keySecret.getMetadata().getLabels())
        .containsAllEntriesOf(pod.getMetadata().getLabels())
        .containsEntry("zeroscale.io/secret", "engine-key");
    assertThat(keySecret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Pod");
              assertThat(owner.getName()).isEqualTo("zs-i-42");
              assertThat(owner.getUid()).isEqualTo("uid-of-the-pod");
            });
    assertThat(new String(keySecret.getData().get("VLLM_API_KEY"), StandardCharsets.UTF_8))
        .isEqualTo(Plans.ENGINE_KEY);
    V1Secret tokenSecret = PodTemplates.hfTokenSecret(plan, DEFAULTS);
    assertThat(tokenSecret.getMetadata().getName()).isEqualTo("zs-hf-" + Plans.DEPLOYMENT_ID);
    assertThat(tokenSecret.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(tokenSecret.getMetadata().getLabels())
        .containsEntry("zeroscale.io/secret", "hf-token")
        .containsEntry("zeroscale.io/deployment-id", Plans.DEPLOYMENT_ID)
        .doesNotContainKey("zeroscale.io/instance-id");
    assertThat(new String(tokenSecret.getData().get("HF_TOKEN"), StandardCharsets.UTF_8))
        .isEqualTo(Plans.TENANT_TOKEN);
  }

  @Test
  void thePlatformTokenOnlyWhenThePlanAllowsIt() {
    V1Container allowed =
        PodTemplates.pod(Plans.withPlatformToken("i-1"), DEFAULTS)
            .getSpec()
            .getContainers()
            .getFirst();
    V1EnvVar token = env(allowed, "HF_TOKEN");
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("zeroscale-hf-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("HF_TOKEN");
    assertThat(token.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
    assertThat(PodTemplates.hfTokenSecret(Plans.withPlatformToken("i-1"), DEFAULTS)).isNull();

    // Allowed, but the operator configured no platform Secret: no token.
    var noPlatformSecret =
        new KubernetesRuntimeProperties(
            "zeroscale",
            null,
            8000,
            "l",
            null,
            "",
            null,
            "/h",
            null,
            Duration.ZERO,
            null,
            null,
            null,
            null);
    assertThat(
            PodTemplates.pod(Plans.withPlatformToken("i-1"), noPlatformSecret)
                .getSpec()
                .getContainers()
                .getFirst()
                .getEnv())
        .extracting(V1EnvVar::getName)
        .containsExactly("VLLM_API_KEY", "HF_HOME");

    // Neither the tenant's token nor the platform's: no HF_TOKEN, whatever the properties say.
    var keyOnly =
        new InstancePlan(
            "i-1",
            Plans.deployment(Family.LLM, "H100-80GB", 1, 900),
            Plans.ENGINE_KEY,
            null,
            false);
    assertThat(PodTemplates.pod(keyOnly, DEFAULTS).getSpec().getContainers().getFirst().getEnv())
        .extracting(V1EnvVar::getName)
        .containsExactly("VLLM_API_KEY", "HF_HOME");
    assertThat(PodTemplates.engineKeySecret(Plans.h100x2("i-1"), DEFAULTS, new V1Pod())).isNull();
  }

  @Test
  void runtimeClassTolerationsAndResourcesComeFromTheProperties() {
    var properties =
        DEFAULTS.withPodSettings(
            "nvidia",
            List.of(
                new KubernetesRuntimeProperties.Toleration(
                    "dedicated", "Equal", "gpu", "NoSchedule", null),
                new KubernetesRuntimeProperties.Toleration(
                    "node.kubernetes.io/unreachable", "Exists", null, "NoExecute", 300L)),
            new KubernetesRuntimeProperties.Resources(
                Map.of("cpu", "8", "memory", "64Gi"), Map.of("memory", "96Gi")));
    V1PodSpec spec = PodTemplates.pod(Plans.h100x2("i-1"), properties).getSpec();

    assertThat(spec.getRuntimeClassName()).isEqualTo("nvidia");
    assertThat(spec.getTolerations())
        .containsExactly(
            new V1Toleration().key("nvidia.com/gpu").operator("Exists").effect("NoSchedule"),
            new V1Toleration().key("dedicated").operator("Equal").value("gpu").effect("NoSchedule"),
            new V1Toleration()
                .key("node.kubernetes.io/unreachable")
                .operator("Exists")
                .effect("NoExecute")
                .tolerationSeconds(300L));
    V1Container engine = spec.getContainers().getFirst();
    assertThat(engine.getResources().getRequests())
        .containsOnly(
            Map.entry("nvidia.com/gpu", new Quantity("2")),
            Map.entry("cpu", new Quantity("8")),
            Map.entry("memory", new Quantity("64Gi")));
    assertThat(engine.getResources().getLimits())
        .containsOnly(
            Map.entry("nvidia.com/gpu", new Quantity("2")),
            Map.entry("memory", new Quantity("96Gi")));
  }

  @Test
  void podSettingsNameTheBadProperty() {
    assertThatThrownBy(() -> DEFAULTS.withPodSettings("Not_A_Class", null, null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.runtime-class-name");
    assertThatThrownBy(
            () ->
                DEFAULTS.withPodSettings(
                    null,
                    List.of(
                        new KubernetesRuntimeProperties.Toleration(
                            "k", "Sometimes", null, null, null)),
                    null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.tolerations[0].operator");
    assertThatThrownBy(
            () ->
                DEFAULTS.withPodSettings(
                    null,
                    List.of(
                        new KubernetesRuntimeProperties.Toleration("k", "Exists", "v", null, null)),
                    null))
        .hasMessageContaining("tolerations[0].value");
    assertThatThrownBy(
            () ->
                DEFAULTS.withPodSettings(
                    null,
                    List.of(
                        new KubernetesRuntimeProperties.Toleration(
                            "k", null, "v", "NoSchedule", 60L)),
                    null))
        .hasMessageContaining("tolerations[0].toleration-seconds");
    assertThatThrownBy(
            () ->
                DEFAULTS.withPodSettings(
                    null,
                    List.of(
                        new KubernetesRuntimeProperties.Toleration(null, null, null, null, null)),
                    null))
        .hasMessageContaining("tolerations[0].key");
    assertThatThrownBy(
            () -> new KubernetesRuntimeProperties.Resources(Map.of("cpu", "eight"), null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.resources.requests[cpu]");
    assertThatThrownBy(
            () -> new KubernetesRuntimeProperties.Resources(Map.of("nvidia.com/gpu", "1"), null))
        .hasMessageContaining("resources.requests[nvidia.com/gpu]");
    assertThatThrownBy(
            () ->
                new KubernetesRuntimeProperties.Resources(
                    Map.of("memory", "64Gi"), Map.of("memory", "32Gi")))
        .hasMessageContaining("resources.limits[memory]")
        .hasMessageContaining("below its request");
  }

  @Test
  void secretNamesAreDnsNamesAndStablePerId() {
    assertThat(PodTemplates.engineKeySecretName("i-1")).isEqualTo("zs-i-1-engine-key");
    assertThat(PodTemplates.hfTokenSecretName(Plans.DEPLOYMENT_ID))
        .isEqualTo("zs-hf-" + Plans.DEPLOYMENT_ID);
    String odd = "Dep/" + "x".repeat(80);
    assertThat(PodTemplates.hfTokenSecretName(odd))
        .hasSizeLessThanOrEqualTo(63)
        .matches("zs-hf-[a-z0-9]([-a-z0-9]*[a-z0-9])?")
        .isEqualTo(PodTemplates.hfTokenSecretName(odd));
  }

  @Test
  void startupProbeCoversTheActivationTimeoutRoundedUp() {
    var plan = new InstancePlan("i-1", Plans.deployment(Family.LLM, "L40S-48GB", 1, 95));
    V1Probe startup =
        PodTemplates.pod(plan, DEFAULTS).getSpec().getContainers().getFirst().getStartupProbe();
    assertThat(startup.getFailureThreshold() * startup.getPeriodSeconds())
        .isGreaterThanOrEqualTo(95)
        .isLessThan(95 + 10);
  }

  @Test
  void eachCatalogGpuTypeSelectsItsNodes() {
    Map<String, String> expected =
        Map.of(
            "L40S-48GB", "NVIDIA-L40S",
            "A100-80GB", "NVIDIA-A100-SXM4-80GB",
            "H100-80GB", "NVIDIA-H100-80GB-HBM3",
            "H200-141GB", "NVIDIA-H200");
    expected.forEach(
        (gpu, product) -> {
          var plan = new InstancePlan("i-1", Plans.deployment(Family.LLM, gpu, 1, 900));
          assertThat(PodTemplates.pod(plan, DEFAULTS).getSpec().getNodeSelector())
              .containsExactly(Map.entry("nvidia.com/gpu.product", product));
        });
  }

  @Test
  void familiesGetTheirImageAndRunnerFlags() {
    var embed = new InstancePlan("i-1", Plans.deployment(Family.EMBEDDING, "L40S-48GB", 1, 900));
    assertThat(PodTemplates.engineArgs(embed, DEFAULTS)).endsWith("--runner", "pooling");
    var rerank = new InstancePlan("i-1", Plans.deployment(Family.RERANK, "L40S-48GB", 1, 900));
    assertThat(PodTemplates.engineArgs(rerank, DEFAULTS)).endsWith("--runner", "pooling");
    var image = new InstancePlan("i-1", Plans.deployment(Family.IMAGE, "L40S-48GB", 1, 900));
    assertThat(PodTemplates.engineArgs(image, DEFAULTS)).endsWith("--omni");
    assertThat(PodTemplates.pod(image, DEFAULTS).getSpec().getContainers().getFirst().getImage())
        .isEqualTo(KubernetesRuntimeProperties.Images.VLLM_OMNI);
    var audio = new InstancePlan("i-1", Plans.deployment(Family.AUDIO, "L40S-48GB", 1, 900));
    assertThat(PodTemplates.engineArgs(audio, DEFAULTS)).endsWith("acme/llama-8b");
  }

  @Test
  void theEngineOptionsComeLastAfterTheFamilyFlagsAndTheExtraArgs() {
    var properties =
        new KubernetesRuntimeProperties(
            "zeroscale",
            null,
            8000,
            "nvidia.com/gpu.product",
            null,
            "zeroscale-hf-token",
            "HF_TOKEN",
            "/root/.cache/huggingface",
            null,
            Duration.ofSeconds(120),
            List.of("--gpu-memory-utilization", "0.92"),
            null,
            null,
            null);
    V1Pod pod = PodTemplates.pod(Plans.withEngine("i-7", 3), properties);
    List<String> args = pod.getSpec().getContainers().getFirst().getArgs();

    assertThat(args)
        .startsWith("serve", "meta-llama/Llama-3.1-8B-Instruct", "--revision", "0e9e39f")
        .containsSubsequence("--served-model-name", "llama-8b", "acme/llama-8b")
        .endsWith(
            "--gpu-memory-utilization",
            "0.92",
            "--max-model-len=8192",
            "--gpu-memory-utilization=0.85",
            "--no-enable-prefix-caching",
            "--speculative-config={\"model\":\"org/draft\",\"revision\":\"abc1234\","
                + "\"num_speculative_tokens\":4}",
            "--enable-auto-tool-choice",
            "--tool-call-parser=hermes",
            "--reasoning-parser=qwen3",
            "--dtype=bfloat16",
            "--quantization=awq");
    assertThat(args)
        .containsSubsequence("--gpu-memory-utilization", "0.92", "--max-model-len=8192");
    assertThat(pod.getMetadata().getLabels()).containsEntry("zeroscale.io/revision", "3");
  }

  @Test
  void anEmbeddingDeploymentGetsItsRunnerThenItsEngineOptions() {
    var engine = new EngineOptions(512, null, null, null, null, null, "half", null);
    var plan =
        new InstancePlan("i-e", Plans.deployment(Family.EMBEDDING, "H100-80GB", 1, 900, 2, engine));

    assertThat(PodTemplates.engineArgs(plan, DEFAULTS))
        .endsWith("--runner", "pooling", "--max-model-len=512", "--dtype=half");
  }

  @Test
  void theEngineKeySecretCarriesTheRevisionLabelOfItsPod() {
    var plan =
        new InstancePlan(
            "i-k",
            Plans.deployment(Family.LLM, "H100-80GB", 2, 900, 5, Plans.ENGINE),
            Plans.ENGINE_KEY,
            null,
            false);
    V1Pod pod = PodTemplates.pod(plan, DEFAULTS);
    pod.getMetadata().uid("uid-1");

    assertThat(PodTemplates.engineKeySecret(plan, DEFAULTS, pod).getMetadata().getLabels())
        .containsEntry("zeroscale.io/revision", "5");
  }

  @Test
  void propertiesShapeThePod() {
    var properties =
        new KubernetesRuntimeProperties(
            "models",
            new KubernetesRuntimeProperties.Images("registry.local/vllm:1", null, null, null, null),
            9000,
            "gpu.example.com/model",
            Map.of("h100-80gb", "H100-SXM"),
            "",
            null,
            "/models",
            "engine-sa",
            Duration.ofSeconds(30),
            List.of("--gpu-memory-utilization", "0.92"),
            null,
            null,
            null);
    V1Pod pod = PodTemplates.pod(Plans.h100x2("i-1"), properties);
    V1Container engine = pod.getSpec().getContainers().getFirst();

    assertThat(pod.getMetadata().getNamespace()).isEqualTo("models");
    assertThat(engine.getImage()).isEqualTo("registry.local/vllm:1");
    assertThat(engine.getArgs()).contains("9000").endsWith("--gpu-memory-utilization", "0.92");
    assertThat(engine.getReadinessProbe().getHttpGet().getPort().getIntValue()).isEqualTo(9000);
    assertThat(pod.getSpec().getNodeSelector())
        .containsExactly(Map.entry("gpu.example.com/model", "H100-SXM"));
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("engine-sa");
    assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
    // A blank secret name: no HF_TOKEN at all.
    assertThat(engine.getEnv()).extracting(V1EnvVar::getName).containsExactly("HF_HOME");
  }

  @Test
  void podNamesAreDnsLabelsAndStablePerId() {
    assertThat(PodTemplates.podName("3f2a9c4e-1b7d-4e8a-9c21-5d6e7f8a9b0c"))
        .isEqualTo("zs-3f2a9c4e-1b7d-4e8a-9c21-5d6e7f8a9b0c");
    String odd = "Acme/Llama_8B:" + "x".repeat(80);
    String name = PodTemplates.podName(odd);
    assertThat(name).hasSizeLessThanOrEqualTo(63).matches("zs-[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(PodTemplates.podName(odd)).isEqualTo(name);
    assertThat(PodTemplates.podName(odd + "y")).isNotEqualTo(name);
    assertThat(PodTemplates.labelValue(odd)).hasSizeLessThanOrEqualTo(63).doesNotContain("/", ":");
  }

  @Test
  void rejectsWhatNoPodCanRun() {
    var unknownGpu = new InstancePlan("i-1", Plans.deployment(Family.LLM, "TPU-v5", 1, 900));
    assertThatThrownBy(() -> PodTemplates.pod(unknownGpu, DEFAULTS))
        .hasMessageContaining("TPU-v5")
        .hasMessageContaining("zeroscale.runtime.kubernetes.gpu-products");
    assertThatThrownBy(() -> PodTemplates.HfSource.parse("s3://bucket/model"))
        .hasMessageContaining("hf://org/repo[@revision]");
    assertThat(PodTemplates.HfSource.parse("hf://org/repo"))
        .isEqualTo(new PodTemplates.HfSource("org/repo", null));
  }

  @Test
  void propertiesNameTheBadProperty() {
    assertThatThrownBy(
            () ->
                new KubernetesRuntimeProperties(
                    "Bad_NS",
                    null,
                    8000,
                    "l",
                    null,
                    null,
                    null,
                    "/h",
                    null,
                    Duration.ZERO,
                    null,
                    null,
                    null,
                    null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.namespace")
        .hasMessageContaining("Bad_NS");
    assertThatThrownBy(
            () ->
                new KubernetesRuntimeProperties(
                    "ns",
                    null,
                    0,
                    "l",
                    null,
                    null,
                    null,
                    "/h",
                    null,
                    Duration.ZERO,
                    null,
                    null,
                    null,
                    null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.container-port");
    assertThatThrownBy(
            () ->
                new KubernetesRuntimeProperties(
                    "ns",
                    null,
                    80,
                    "l",
                    null,
                    null,
                    null,
                    "/h",
                    null,
                    Duration.ofSeconds(-1),
                    null,
                    null,
                    null,
                    null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.termination-grace-period");
    assertThatThrownBy(() -> new KubernetesRuntimeProperties.Images(" ", null, null, null, null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.images.llm");
  }

  private static void assertProbe(V1Probe probe, int periodS, int failureThreshold) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo("/health");
    assertThat(probe.getHttpGet().getPort().getIntValue()).isEqualTo(8000);
    assertThat(probe.getPeriodSeconds()).isEqualTo(periodS);
    assertThat(probe.getFailureThreshold()).isEqualTo(failureThreshold);
  }

  private static V1EnvVar env(V1Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  private static V1Volume volume(V1PodSpec spec, String name) {
    return spec.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
