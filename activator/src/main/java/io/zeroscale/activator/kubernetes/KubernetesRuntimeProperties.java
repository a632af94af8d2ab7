package io.zeroscale.activator.kubernetes;

import io.kubernetes.client.custom.Quantity;
import io.zeroscale.api.Family;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code kubernetes} runtime ({@code zeroscale.runtime.kubernetes.*}): where the
 * pods go, which engine image each family runs, and how a catalog GPU type maps to nodes.
 *
 * @param namespace the namespace of every instance pod (the activator needs pod rights there)
 * @param images the engine image per model family
 * @param containerPort the port the engine listens on inside the pod; instance URL is {@code
 *     http://<podIP>:<containerPort>}
 * @param gpuNodeLabel the node label whose value names the GPU product (NVIDIA GPU feature
 *     discovery sets {@code nvidia.com/gpu.product})
 * @param gpuProducts catalog GPU type to {@link #gpuNodeLabel} value; entries given here override
 *     or extend {@link #DEFAULT_GPU_PRODUCTS} (keys are matched case-insensitively; bind them with
 *     brackets: {@code gpu-products[H100-80GB]=NVIDIA-H100-80GB-HBM3})
 * @param hfTokenSecret the Secret the pod reads {@code HF_TOKEN} from (optional reference: a
 *     missing Secret or key leaves the variable unset, so public models still start); blank: no
 *     {@code HF_TOKEN} at all
 * @param hfTokenKey the key inside {@link #hfTokenSecret}
 * @param hfHome {@code HF_HOME} of the engine: where weights are downloaded (an emptyDir)
 * @param serviceAccount the pods' service account, or null for the namespace's default
 * @param terminationGracePeriod how long a stopping pod may drain before the kubelet kills it
 * @param extraArgs appended to every engine command line, e.g. {@code --gpu-memory-utilization
 *     0.92}
 * @param runtimeClassName the pods' {@code runtimeClassName} (e.g. {@code nvidia} where the NVIDIA
 *     container runtime is not the node's default), or null for the cluster default
 * @param tolerations tolerations added to the pods' fixed {@code nvidia.com/gpu} Exists NoSchedule
 *     one (e.g. a dedicated-node taint); bind with indexes: {@code tolerations[0].key=dedicated}
 * @param resources CPU, memory and ephemeral-storage requests and limits of the engine container
 *     (the GPU request and limit are always {@code num_gpus}); none by default
 */
@ConfigurationProperties("zeroscale.runtime.kubernetes")
public record KubernetesRuntimeProperties(
    @DefaultValue("zeroscale") String namespace,
    @DefaultValue Images images,
    @DefaultValue("8000") int containerPort,
    @DefaultValue("nvidia.com/gpu.product") String gpuNodeLabel,
    Map<String, String> gpuProducts,
    @DefaultValue("zeroscale-hf-token") String hfTokenSecret,
    @DefaultValue("HF_TOKEN") String hfTokenKey,
    @DefaultValue("/root/.cache/huggingface") String hfHome,
    String serviceAccount,
    @DefaultValue("120s") Duration terminationGracePeriod,
    List<String> extraArgs,
    String runtimeClassName,
    List<Toleration> tolerations,
    Resources resources) {

  private static final String PREFIX = "zeroscale.runtime.kubernetes.";
  private static final String NOT_BLANK = "must not be blank";

  /** RFC 1123 label: namespaces, service accounts. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** RFC 1123 subdomain: runtime class names. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** A taint key: an optional DNS subdomain prefix and a name (Kubernetes' qualified name). */
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

  /**
   * The hardware catalog's GPU types (SPEC §8) as NVIDIA GPU feature discovery labels them. The
   * A100 entry is the SXM4 part; a cluster of PCIe A100s overrides it ({@code
   * NVIDIA-A100-PCIE-80GB}).
   */
  public static final Map<String, String> DEFAULT_GPU_PRODUCTS =
      Map.of(
          "L40S-48GB", "NVIDIA-L40S",
          "A100-80GB", "NVIDIA-A100-SXM4-80GB",
          "H100-80GB", "NVIDIA-H100-80GB-HBM3",
          "H200-141GB", "NVIDIA-H200");

  public KubernetesRuntimeProperties {
    require(
        namespace != null && DNS_LABEL.matcher(namespace).matches(),
        "namespace",
        namespace,
        "must be a DNS-1123 label");
    if (images == null) {
      images = new Images(null, null, null, null, null);
    }
    require(
        containerPort >= 1 && containerPort <= 65535,
        "container-port",
        containerPort,
        "must be in [1, 65535]");
    require(
        gpuNodeLabel != null && !gpuNodeLabel.isBlank(), "gpu-node-label", gpuNodeLabel, NOT_BLANK);
    Map<String, String> products = new LinkedHashMap<>();
    DEFAULT_GPU_PRODUCTS.forEach(
        (type, value) -> products.put(type.toUpperCase(Locale.ROOT), value));
    if (gpuProducts != null) {
      gpuProducts.forEach(
          (type, value) -> {
            require(
                value != null && !value.isBlank(), "gpu-products[" + type + "]", value, NOT_BLANK);
            products.put(type.toUpperCase(Locale.ROOT), value);
          });
    }
    gpuProducts = Map.copyOf(products);
    hfTokenSecret = hfTokenSecret == null || hfTokenSecret.isBlank() ? null : hfTokenSecret;
    if (hfTokenSecret != null) {
      require(hfTokenKey != null && !hfTokenKey.isBlank(), "hf-token-key", hfTokenKey, NOT_BLANK);
    }
    require(
        hfHome != null && hfHome.startsWith("/"), "hf-home", hfHome, "must be an absolute path");
    serviceAccount = serviceAccount == null || serviceAccount.isBlank() ? null : serviceAccount;
    require(
        serviceAccount == null || DNS_LABEL.matcher(serviceAccount).matches(),
        "service-account",
        serviceAccount,
        "must be a DNS-1123 label");
    require(
        terminationGracePeriod != null && !terminationGracePeriod.isNegative(),
        "termination-grace-period",
        terminationGracePeriod,
        "must not be negative");
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
    runtimeClassName =
        runtimeClassName == null || runtimeClassName.isBlank() ? null : runtimeClassName;
    require(
        runtimeClassName == null || DNS_SUBDOMAIN.matcher(runtimeClassName).matches(),
        "runtime-class-name",
        runtimeClassName,
        "must be a DNS-1123 subdomain");
    List<Toleration> checked = new ArrayList<>();
    if (tolerations != null) {
      for (int i = 0; i < tolerations.size(); i++) {
        Toleration t = tolerations.get(i);
        require(t != null, "tolerations[" + i + "]", null, "must not be empty");
        checked.add(t.validated("tolerations[" + i + "]"));
      }
    }
    tolerations = List.copyOf(checked);
    resources = resources == null ? Resources.NONE : resources;
  }

  /** A copy with the pods' runtime class, extra tolerations and CPU/memory resources. */
  public KubernetesRuntimeProperties withPodSettings(
      String runtimeClassName, List<Toleration> tolerations, Resources resources) {
    return new KubernetesRuntimeProperties(
        namespace,
        images,
        containerPort,
        gpuNodeLabel,
        gpuProducts,
        hfTokenSecret,
        hfTokenKey,
        hfHome,
        serviceAccount,
        terminationGracePeriod,
        extraArgs,
        runtimeClassName,
        tolerations,
        resources);
  }

  /** Defaults everywhere: what an unconfigured activator runs with. */
  public static KubernetesRuntimeProperties defaults() {
    return new KubernetesRuntimeProperties(
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
        null,
        null,
        null,
        null);
  }

  /** The node label value for a catalog GPU type, empty for a type this cluster does not have. */
  public Optional<String> gpuProduct(String gpuType) {
    return gpuType == null
        ? Optional.empty()
        : Optional.ofNullable(gpuProducts.get(gpuType.toUpperCase(Locale.ROOT)));
  }

  /**
   * The engine image per family. vLLM's OpenAI server serves llm, embedding, rerank (pooling
   * runner) and audio (Whisper transcription); image generation needs vLLM-Omni, whose image takes
   * the same {@code vllm serve} command line plus {@code --omni}.
   */
  public record Images(
      @DefaultValue(VLLM) String llm,
      @DefaultValue(VLLM) String embedding,
      @DefaultValue(VLLM) String rerank,
      @DefaultValue(VLLM_OMNI) String image,
      @DefaultValue(VLLM) String audio) {

    public static final String VLLM = "vllm/vllm-openai:v0.11.0";
    public static final String VLLM_OMNI = "vllm/vllm-omni:v0.11.0rc1";

    public Images {
      llm = orDefault(llm, VLLM, "llm");
      embedding = orDefault(embedding, VLLM, "embedding");
      rerank = orDefault(rerank, VLLM, "rerank");
      image = orDefault(image, VLLM_OMNI, "image");
      audio = orDefault(audio, VLLM, "audio");
    }

    public String of(Family family) {
      return switch (family) {
        case LLM -> llm;
        case EMBEDDING -> embedding;
        case RERANK -> rerank;
        case IMAGE -> image;
        case AUDIO -> audio;
      };
    }

    private static String orDefault(String value, String fallback, String family) {
      if (value == null) {
        return fallback;
      }
      require(
          !value.isBlank() && !value.contains(" "),
          "images." + family,
          value,
          "must be an image reference");
      return value;
    }
  }

  /**
   * A toleration of the instance pods, as in a pod spec.
   *
   * @param key the taint key; empty (with {@code Exists}) tolerates every taint
   * @param operator {@code Equal} (default) or {@code Exists}
   * @param value the taint value for {@code Equal}; none for {@code Exists}
   * @param effect {@code NoSchedule}, {@code PreferNoSchedule}, {@code NoExecute}, or empty for all
   * @param tolerationSeconds with {@code NoExecute} only: how long the pod stays after the taint
   */
  public record Toleration(
      String key, String operator, String value, String effect, Long tolerationSeconds) {

    static final Set<String> OPERATORS = Set.of("Equal", "Exists");
    static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    public Toleration {
      key = key == null || key.isBlank() ? null : key;
      operator = operator == null || operator.isBlank() ? "Equal" : operator;
      value = value == null || value.isEmpty() ? null : value;
      effect = effect == null || effect.isBlank() ? null : effect;
    }

    Toleration validated(String property) {
      require(
          OPERATORS.contains(operator),
          property + ".operator",
          operator,
          "must be Equal or Exists");
      require(
          key == null || QUALIFIED_NAME.matcher(key).matches(),
          property + ".key",
          key,
          "must be a qualified name");
      require(
          key != null || "Exists".equals(operator),
          property + ".key",
          key,
          "may be empty only with operator Exists");
      require(
          value == null || "Equal".equals(operator),
          property + ".value",
          value,
          "must be empty with operator Exists");
      require(
          value == null || LABEL_VALUE.matcher(value).matches(),
          property + ".value",
          value,
          "must be a label value");
      require(
          effect == null || EFFECTS.contains(effect),
          property + ".effect",
          effect,
          "must be NoSchedule, PreferNoSchedule or NoExecute");
      require(
          tolerationSeconds == null || "NoExecute".equals(effect),
          property + ".toleration-seconds",
          tolerationSeconds,
          "is only for effect NoExecute");
      return this;
    }
  }

  /**
   * Requests and limits of the engine container beyond its GPUs, as Kubernetes quantities ({@code
   * 8}, {@code 500m}, {@code 64Gi}).
   *
   * @param requests per resource: {@code cpu}, {@code memory}, {@code ephemeral-storage}
   * @param limits the same resources; a limit below its request is refused
   */
  public record Resources(Map<String, String> requests, Map<String, String> limits) {

    public static final Set<String> NAMES = Set.of("cpu", "memory", "ephemeral-storage");
    public static final Resources NONE = new Resources(null, null);

    public Resources {
      requests = quantities("resources.requests", requests);
      limits = quantities("resources.limits", limits);
      for (var limit : limits.entrySet()) {
        String request = requests.get(limit.getKey());
        require(
            request == null
                || Quantity.fromString(request)
                        .getNumber()
                        .compareTo(Quantity.fromString(limit.getValue()).getNumber())
                    <= 0,
            "resources.limits[" + limit.getKey() + "]",
            limit.getValue(),
            "must not be below its request " + request);
      }
    }

    private static Map<String, String> quantities(String property, Map<String, String> given) {
      Map<String, String> out = new TreeMap<>();
      if (given != null) {
        given.forEach(
            (name, quantity) -> {
              require(
                  NAMES.contains(name),
                  property + "[" + name + "]",
                  quantity,
                  "names no resource this runtime sets (cpu, memory, ephemeral-storage)");
              require(
                  quantity != null && isQuantity(quantity),
                  property + "[" + name + "]",
                  quantity,
                  "must be a Kubernetes quantity, e.g. 8, 500m, 64Gi");
              out.put(name, quantity.strip());
            });
      }
      return Collections.unmodifiableMap(out);
    }

    private static boolean isQuantity(String quantity) {
      try {
        return Quantity.fromString(quantity.strip()).getNumber().signum() >= 0;
      } catch (RuntimeException e) {
        return false;
      }
    }
  }

  private static void require(boolean ok, String property, Object value, String why) {
    if (!ok) {
      throw new IllegalArgumentException(
          PREFIX
              + property
              + " "
              + why
              + ", got "
              + (value == null ? "nothing" : "'" + value + "'"));
    }
  }
}
