package io.zeroscale.activator.kubernetes;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.redis.S3Access;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the pod of one instance (knative {@code kpa/resources} style): pure functions of the plan
 * and the runtime's settings, no I/O, so that every field can be checked by a plain unit test.
 */
public final class PodTemplates {

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "zeroscale";
  public static final String NAME = "app.kubernetes.io/name";
  public static final String NAME_VALUE = "zeroscale-instance";
  public static final String INSTANCE_ID = "zeroscale.io/instance-id";
  public static final String DEPLOYMENT_ID = "zeroscale.io/deployment-id";
  public static final String TENANT_ID = "zeroscale.io/tenant-id";
  public static final String DEPLOYMENT_NAME = "zeroscale.io/deployment-name";
  public static final String GPU = "zeroscale.io/gpu";
  public static final String NUM_GPUS = "zeroscale.io/num-gpus";
  public static final String SOURCE = "zeroscale.io/source";

  /**
   * The deployment revision the instance was launched for (a label: a number is a valid value), so
   * that an adopting activator tells the instances of a rollout's two revisions apart.
   */
  public static final String REVISION = "zeroscale.io/revision";

  /** The label selector of every pod this runtime owns (and adopts after a restart). */
  public static final String SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  public static final String GPU_RESOURCE = "nvidia.com/gpu";
  public static final String CONTAINER = "engine";
  public static final String POD_NAME_PREFIX = "zs-";
  public static final String HEALTH_PATH = "/health";

  /** Which of the runtime's Secrets an object is: {@value #ENGINE_KEY} or {@value #HF_TOKEN}. */
  public static final String SECRET_ROLE = "zeroscale.io/secret";

  public static final String ENGINE_KEY = "engine-key";
  public static final String HF_TOKEN = "hf-token";

  /** The engine's API key variable (vLLM reads it as {@code --api-key}); also the Secret's key. */
  public static final String ENGINE_KEY_ENV = "VLLM_API_KEY";

  /** The Hugging Face token variable; also the key in a per-deployment token Secret. */
  public static final String HF_TOKEN_ENV = "HF_TOKEN";

  static final String ENGINE_KEY_SUFFIX = "-" + ENGINE_KEY;
  static final String HF_TOKEN_PREFIX = "zs-hf-";

  /**
   * Startup probe period. With the default activation timeout of 900 s the failure threshold is 90:
   * the kubelet gives the engine 90 × 10 s to download weights and load them before it gives up,
   * which is exactly as long as a held request waits.
   */
  static final int STARTUP_PERIOD_S = 10;

  static final int READINESS_PERIOD_S = 5;
  static final int LIVENESS_PERIOD_S = 10;

  /** Liveness gives a busy engine 6 × 10 s = one minute of failed checks before a kill. */
  static final int LIVENESS_FAILURES = 6;

  static final int PROBE_TIMEOUT_S = 5;

  private static final int MAX_NAME = 63;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private PodTemplates() {}

  /**
   * The pod of an instance: {@code zs-<instanceId>} when that is a DNS-1123 label of at most 63
   * characters (a UUID gives 39); otherwise a cleaned, truncated form plus 8 hex digits of the id's
   * SHA-256, so that two ids never share a pod and the same id always maps to the same pod.
   */
  public static String podName(String instanceId) {
    return dnsName(POD_NAME_PREFIX, instanceId, "instance id");
  }

  /** The Secret holding an instance's engine key: {@code <pod name>-engine-key}. */
  public static String engineKeySecretName(String instanceId) {
    return podName(instanceId) + ENGINE_KEY_SUFFIX;
  }

  /**
   * The Secret holding a deployment's tenant token: {@code zs-hf-<deploymentId>} (cleaned and
   * hashed like {@link #podName} when the id is no DNS label).
   */
  public static String hfTokenSecretName(String deploymentId) {
    return dnsName(HF_TOKEN_PREFIX, deploymentId, "deployment id");
  }

  private static String dnsName(String prefix, String id, String what) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    String plain = prefix + id;
    if (plain.length() <= MAX_NAME && DNS_LABEL.matcher(plain).matches()) {
      return plain;
    }
    String hash = sha256Hex(id).substring(0, 8);
    String cleaned = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    int room = MAX_NAME - prefix.length() - 1 - hash.length();
    cleaned = cleaned.substring(0, Math.min(room, cleaned.length())).replaceAll("^-+|-+$", "");
    return prefix + (cleaned.isEmpty() ? "" : cleaned + "-") + hash;
  }

  /**
   * The Secret with an instance's engine key, labelled like its pod and owned by it (the garbage
   * collector deletes it with the pod): {@code owner} is the pod as the API server returned it,
   * with its uid. Null when the plan has no key.
   */
  public static V1Secret engineKeySecret(
      InstancePlan plan, KubernetesRuntimeProperties properties, V1Pod owner) {
    if (plan.engineKey() == null) {
      return null;
    }
    Map<String, String> labels = labels(plan);
    labels.put(SECRET_ROLE, ENGINE_KEY);
    V1ObjectMeta metadata =
        metadata(
                engineKeySecretName(plan.instanceId()),
                properties,
                labels,
                Map.of(INSTANCE_ID, plan.instanceId()))
            .addOwnerReferencesItem(
                new V1OwnerReference()
                    .apiVersion("v1")
                    .kind("Pod")
                    .name(owner.getMetadata().getName())
                    .uid(owner.getMetadata().getUid()));
    return opaqueSecret(metadata, ENGINE_KEY_ENV, plan.engineKey()).immutable(true);
  }

  /**
   * The Secret with the tenant's token for a deployment's instances, or null when the plan has
   * none. Not owned by any pod: it lives as long as the deployment ({@code
   * InstanceRuntime#release}).
   */
  public static V1Secret hfTokenSecret(InstancePlan plan, KubernetesRuntimeProperties properties) {
    if (plan.s3() != null) {
      return s3Secret(plan, properties);
    }
    if (plan.hfToken() == null) {
      return null;
    }
    DeploymentSpec deployment = plan.deployment();
    V1ObjectMeta metadata =
        metadata(
            hfTokenSecretName(deployment.id()),
            properties,
            labels(deployment, SECRET_ROLE, HF_TOKEN),
            Map.of(DEPLOYMENT_ID, deployment.id()));
    return opaqueSecret(metadata, HF_TOKEN_ENV, plan.hfToken());
  }

  /**
   * For an S3 model (issue #20), the same per-deployment Secret holds its {@code AWS_*} variables
   * ({@link S3Access#environment()}), each under its own name: always at least {@code
   * AWS_EC2_METADATA_DISABLED}, so that even an anonymous model's pod never loads with the node's
   * instance-metadata role.
   */
  private static V1Secret s3Secret(InstancePlan plan, KubernetesRuntimeProperties properties) {
    Map<String, String> vars = plan.s3().environment();
    if (vars.isEmpty()) {
      return null;
    }
    DeploymentSpec deployment = plan.deployment();
    V1Secret secret =
        new V1Secret()
            .apiVersion("v1")
            .kind("Secret")
            .metadata(
                metadata(
                    hfTokenSecretName(deployment.id()),
                    properties,
                    labels(deployment, SECRET_ROLE, HF_TOKEN),
                    Map.of(DEPLOYMENT_ID, deployment.id())))
            .type("Opaque");
    vars.forEach((k, v) -> secret.putDataItem(k, v.getBytes(StandardCharsets.UTF_8)));
    return secret;
  }

  /** An opaque Secret holding {@code value} under {@code key}. */
  private static V1Secret opaqueSecret(V1ObjectMeta metadata, String key, String value) {
    return new V1Secret()
        .apiVersion("v1")
        .kind("Secret")
        .metadata(metadata)
        .type("Opaque")
        .putDataItem(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The metadata of an object the activator creates in {@code properties.namespace()}. */
  private static V1ObjectMeta metadata(
      String name,
      KubernetesRuntimeProperties properties,
      Map<String, String> labels,
      Map<String, String> annotations) {
    return new V1ObjectMeta()
        .name(name)
        .namespace(properties.namespace())
        .labels(labels)
        .annotations(annotations);
  }

  /** The pod for a plan, ready to be created in {@code properties.namespace()}. */
  public static V1Pod pod(InstancePlan plan, KubernetesRuntimeProperties properties) {
    DeploymentSpec deployment = plan.deployment();
    if (deployment.numGpus() < 1) {
      throw new IllegalArgumentException(
          "deployment " + deployment.id() + " asks for " + deployment.numGpus() + " GPUs");
    }
    String product =
        properties
            .gpuProduct(deployment.gpu())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no node label value for GPU type '"
                            + deployment.gpu()
                            + "': set zeroscale.runtime.kubernetes.gpu-products["
                            + deployment.gpu()
                            + "]"));
    Quantity gpus = new Quantity(Integer.toString(deployment.numGpus()));
    int port = properties.containerPort();

    V1Container engine =
        new V1Container()
            .name(CONTAINER)
            .image(properties.images().of(deployment.family()))
            .imagePullPolicy("IfNotPresent")
            .command(List.of("vllm"))
            .args(engineArgs(plan, properties))
            .addPortsItem(new V1ContainerPort().name("http").containerPort(port).protocol("TCP"))
            .env(env(plan, properties))
            .resources(resources(properties, gpus))
            .startupProbe(
                health(port, STARTUP_PERIOD_S, startupFailureThreshold(deployment.settings())))
            .readinessProbe(health(port, READINESS_PERIOD_S, 3))
            .livenessProbe(health(port, LIVENESS_PERIOD_S, LIVENESS_FAILURES))
            .addVolumeMountsItem(new V1VolumeMount().name("dshm").mountPath("/dev/shm"))
            .addVolumeMountsItem(
                new V1VolumeMount().name("hf-cache").mountPath(properties.hfHome()));

    V1PodSpec spec =
        new V1PodSpec()
            // The activator replaces a failed instance itself and counts boot failures; a kubelet
            // restart loop would hide both (and keep billing GPUs that serve nothing).
            .restartPolicy("Never")
            .terminationGracePeriodSeconds(properties.terminationGracePeriod().toSeconds())
            .serviceAccountName(properties.serviceAccount())
            // The engine never calls the Kubernetes API.
            .automountServiceAccountToken(false)
            // Service links would inject e.g. VLLM_PORT=tcp://... for a Service named "vllm",
            // which vLLM reads as its own setting and fails on.
            .enableServiceLinks(false)
            .runtimeClassName(properties.runtimeClassName())
            .putNodeSelectorItem(properties.gpuNodeLabel(), product)
            .tolerations(tolerations(properties))
            .addContainersItem(engine)
            // Tensor parallel workers exchange tensors through shared memory; the container
            // runtime's default /dev/shm is 64 MiB.
            .addVolumesItem(
                new V1Volume().name("dshm").emptyDir(new V1EmptyDirVolumeSource().medium("Memory")))
            .addVolumesItem(new V1Volume().name("hf-cache").emptyDir(new V1EmptyDirVolumeSource()));

    return new V1Pod()
        .apiVersion("v1")
        .kind("Pod")
        .metadata(metadata(podName(plan.instanceId()), properties, labels(plan), annotations(plan)))
        .spec(spec);
  }

  /**
   * {@code serve <repo> [--revision <rev>] --port <port> --max-num-seqs <max_batch_size>
   * --tensor-parallel-size <num_gpus> --served-model-name <model_name> <tenant>/<model_name>}, then
   * the family's flags ({@link #familyArgs}), then the configured extra args, then the deployment's
   * engine options ({@code EngineOptions#vllmArgs()}, e.g. {@code --max-model-len=8192}): last, so
   * that a deployment's own value wins over a platform-wide extra arg of the same flag (vLLM takes
   * the last one).
   */
  public static List<String> engineArgs(InstancePlan plan, KubernetesRuntimeProperties properties) {
    DeploymentSpec deployment = plan.deployment();
    List<String> args = new ArrayList<>();
    args.add("serve");
    if (plan.fromS3()) {
      // vLLM streams s3:// models with the Run:ai Model Streamer, reading the AWS_* variables.
      args.add(plan.repo());
      args.add("--load-format");
      args.add(InstancePlan.S3_LOAD_FORMAT);
    } else {
      HfSource source = HfSource.parse(deployment.source());
      args.add(source.repo());
      if (source.revision() != null) {
        args.add("--revision");
        args.add(source.revision());
      }
    }
    args.addAll(
        List.of(
            "--port",
            Integer.toString(properties.containerPort()),
            "--max-num-seqs",
            Integer.toString(deployment.maxBatchSize()),
            "--tensor-parallel-size",
            Integer.toString(deployment.numGpus()),
            "--served-model-name"));
    args.addAll(plan.servedModelNames());
    args.addAll(familyArgs(deployment.family()));
    args.addAll(properties.extraArgs());
    args.addAll(deployment.engine().vllmArgs());
    return List.copyOf(args);
  }

  /**
   * What vLLM (v0.10 and later) needs beyond {@code vllm serve} for a family. Embedding and rerank
   * models run on the pooling runner ({@code --runner pooling}; vLLM then converts to {@code embed}
   * or, for {@code *ForSequenceClassification} cross-encoders, {@code classify}, which serves
   * {@code /v1/rerank}). It replaces the {@code --task embed|score} of older releases.
   * Whisper-style models are detected as transcription models on their own. Image generation runs
   * on vLLM-Omni, which wants {@code --omni}.
   */
  static List<String> familyArgs(Family family) {
    return switch (family) {
      case EMBEDDING, RERANK -> List.of("--runner", "pooling");
      case IMAGE -> List.of("--omni");
      case LLM, AUDIO -> List.of();
    };
  }

  /**
   * Failures the startup probe tolerates: enough periods to cover the deployment's {@code
   * activation_timeout_s} (rounded up), e.g. 900 s → 90 × 10 s.
   */
  static int startupFailureThreshold(ScalingSettings settings) {
    int timeoutS =
        settings == null || settings.activationTimeoutS() <= 0
            ? ScalingSettings.DEFAULT_ACTIVATION_TIMEOUT_S
            : settings.activationTimeoutS();
    return Math.max(1, (timeoutS + STARTUP_PERIOD_S - 1) / STARTUP_PERIOD_S);
  }

  private static Map<String, String> labels(InstancePlan plan) {
    return labels(
        plan.deployment(),
        NAME,
        NAME_VALUE,
        INSTANCE_ID,
        labelValue(plan.instanceId()),
        REVISION,
        Integer.toString(plan.deployment().revision()));
  }

  /**
   * {@code managed-by}, then {@code pairs} (label, value, label, value...), then the deployment's
   * id and tenant: the labels of everything the activator creates for a deployment.
   */
  private static Map<String, String> labels(DeploymentSpec deployment, String... pairs) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    for (int i = 0; i < pairs.length; i += 2) {
      labels.put(pairs[i], pairs[i + 1]);
    }
    labels.put(DEPLOYMENT_ID, labelValue(deployment.id()));
    labels.put(TENANT_ID, labelValue(deployment.tenantId()));
    return labels;
  }

  /** Exact values that labels cannot carry (slashes, length) and context for operators. */
  private static Map<String, String> annotations(InstancePlan plan) {
    DeploymentSpec deployment = plan.deployment();
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(INSTANCE_ID, plan.instanceId());
    annotations.put(DEPLOYMENT_ID, deployment.id());
    annotations.put(DEPLOYMENT_NAME, deployment.fullName());
    annotations.put(GPU, deployment.gpu());
    annotations.put(NUM_GPUS, Integer.toString(deployment.numGpus()));
    annotations.put(SOURCE, deployment.source());
    return annotations;
  }

  /**
   * Secrets only by reference, never by value: {@code VLLM_API_KEY} from the instance's key Secret;
   * {@code HF_TOKEN} from the deployment's token Secret (the tenant's token), or from the
   * platform's Secret when the plan allows the platform token, or not at all; an S3 model's {@code
   * AWS_*} variables from the deployment's Secret too.
   */
  private static List<V1EnvVar> env(InstancePlan plan, KubernetesRuntimeProperties properties) {
    List<V1EnvVar> env = new ArrayList<>();
    if (plan.engineKey() != null) {
      env.add(
          secretEnv(ENGINE_KEY_ENV, engineKeySecretName(plan.instanceId()), ENGINE_KEY_ENV, null));
    }
    if (plan.hfToken() != null) {
      env.add(
          secretEnv(HF_TOKEN_ENV, hfTokenSecretName(plan.deployment().id()), HF_TOKEN_ENV, null));
    } else if (plan.platformToken() && properties.hfTokenSecret() != null) {
      // Public models start without the platform's Secret.
      env.add(secretEnv(HF_TOKEN_ENV, properties.hfTokenSecret(), properties.hfTokenKey(), true));
    }
    if (plan.s3() != null) {
      for (String name : plan.s3().environment().keySet()) {
        env.add(secretEnv(name, hfTokenSecretName(plan.deployment().id()), name, null));
      }
    }
    env.add(new V1EnvVar().name("HF_HOME").value(properties.hfHome()));
    return env;
  }

  private static V1EnvVar secretEnv(String name, String secret, String key, Boolean optional) {
    return new V1EnvVar()
        .name(name)
        .valueFrom(
            new V1EnvVarSource()
                .secretKeyRef(new V1SecretKeySelector().name(secret).key(key).optional(optional)));
  }

  /** The GPUs (request = limit = num_gpus), then the configured CPU/memory/storage. */
  private static V1ResourceRequirements resources(
      KubernetesRuntimeProperties properties, Quantity gpus) {
    V1ResourceRequirements resources =
        new V1ResourceRequirements()
            .putLimitsItem(GPU_RESOURCE, gpus)
            .putRequestsItem(GPU_RESOURCE, gpus);
    properties
        .resources()
        .requests()
        .forEach((name, quantity) -> resources.putRequestsItem(name, new Quantity(quantity)));
    properties
        .resources()
        .limits()
        .forEach((name, quantity) -> resources.putLimitsItem(name, new Quantity(quantity)));
    return resources;
  }

  /** The GPU taint's toleration, then the configured ones. */
  private static List<V1Toleration> tolerations(KubernetesRuntimeProperties properties) {
    List<V1Toleration> tolerations = new ArrayList<>();
    tolerations.add(new V1Toleration().key(GPU_RESOURCE).operator("Exists").effect("NoSchedule"));
    for (KubernetesRuntimeProperties.Toleration t : properties.tolerations()) {
      tolerations.add(
          new V1Toleration()
              .key(t.key())
              .operator(t.operator())
              .value(t.value())
              .effect(t.effect())
              .tolerationSeconds(t.tolerationSeconds()));
    }
    return tolerations;
  }

  private static V1Probe health(int port, int periodS, int failureThreshold) {
    return new V1Probe()
        .httpGet(new V1HTTPGetAction().path(HEALTH_PATH).port(new IntOrString(port)))
        .periodSeconds(periodS)
        .timeoutSeconds(PROBE_TIMEOUT_S)
        .failureThreshold(failureThreshold);
  }

  /**
   * A valid label value for {@code value}: itself when valid, else a cleaned and truncated form
   * (the exact value is in the annotation of the same name).
   */
  static String labelValue(String value) {
    if (value == null) {
      return "";
    }
    if (value.length() <= MAX_NAME && LABEL_VALUE.matcher(value).matches()) {
      return value;
    }
    String cleaned = value.replaceAll("[^-A-Za-z0-9_.]+", "-");
    cleaned = cleaned.substring(0, Math.min(MAX_NAME, cleaned.length()));
    return cleaned.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }

  private static String sha256Hex(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /**
   * A Hugging Face source {@code hf://org/repo[@revision]}.
   *
   * @param revision a branch, tag or commit; null for the repo's default branch
   */
  record HfSource(String repo, String revision) {

    static HfSource parse(String source) {
      String prefix = "hf://";
      if (source == null || !source.startsWith(prefix)) {
        throw new IllegalArgumentException(
            "model source must look like hf://org/repo[@revision], got " + source);
      }
      String rest = source.substring(prefix.length());
      int at = rest.indexOf('@');
      String repo = at < 0 ? rest : rest.substring(0, at);
      String revision = at < 0 ? null : rest.substring(at + 1);
      if (repo.isBlank() || (revision != null && revision.isBlank())) {
        throw new IllegalArgumentException(
            "model source must look like hf://org/repo[@revision], got " + source);
      }
      return new HfSource(repo, revision);
    }
  }
}
