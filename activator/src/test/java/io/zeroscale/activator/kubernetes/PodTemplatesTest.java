package io.zeroscale.activator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V1Volume;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.Family;
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
                "zeroscale.io/tenant-id", Plans.TENANT_ID));
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

    V1EnvVar hfToken = env(engine, "HF_TOKEN");
    assertThat(hfToken.getValue()).isNull();
    assertThat(hfToken.getValueFrom().getSecretKeyRef().getName()).isEqualTo("zeroscale-hf-token");
    assertThat(hfToken.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("HF_TOKEN");
    assertThat(hfToken.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
    assertThat(env(engine, "HF_HOME").getValue()).isEqualTo("/root/.cache/huggingface");

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
            List.of("--gpu-memory-utilization", "0.92"));
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
                    "Bad_NS", null, 8000, "l", null, null, null, "/h", null, Duration.ZERO, null))
        .hasMessageContaining("zeroscale.runtime.kubernetes.namespace")
        .hasMessageContaining("Bad_NS");
    assertThatThrownBy(
            () ->
                new KubernetesRuntimeProperties(
                    "ns", null, 0, "l", null, null, null, "/h", null, Duration.ZERO, null))
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
